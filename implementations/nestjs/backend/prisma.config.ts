import { defineConfig } from 'prisma/config';

// Used by the Prisma CLI only (`prisma generate`). The application connects
// through the pg driver adapter with DATABASE_URL, see src/prisma.
export default defineConfig({
  schema: 'prisma/schema.prisma',
  migrations: { path: 'prisma/migrations' },
  datasource: { url: process.env.DATABASE_URL ?? 'postgresql://localhost:5432/insight_garden' },
});
