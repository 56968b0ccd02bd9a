import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// The dev server listens on 127.0.0.1 (not `localhost`, which Node may
// resolve to ::1 only); `npm run dev` passes the port ($WEB_PORT, default
// 5173). The API's URL comes from VITE_API_URL, pre-fix switches from
// VITE_IG_PREFIX (src/prefix.ts).
export default defineConfig({
  plugins: [react()],
  server: {
    host: '127.0.0.1',
    port: 5173,
    strictPort: true,
    // Transform the app's modules as soon as the server is up, not when the
    // first page asks for them: the first load is much faster.
    warmup: { clientFiles: ['./src/main.tsx'] },
  },
  preview: { host: '127.0.0.1', port: 4173, strictPort: true },
});
