import { create } from 'zustand';
import { createJSONStorage, persist } from 'zustand/middleware';
import { SESSION_EXPIRED } from '../config';
import { asyncStorage } from './asyncStorage';

export interface User {
  id: string;
  email: string;
  name: string | null;
}

interface AuthState {
  isAuthenticated: boolean;
  user: User | null;
  accessToken: string | null;
  /** A notice for the login page (not persisted). */
  notice: string | null;
  logIn: (accessToken: string, user: User) => void;
  logOut: () => void;
  expireSession: () => void;
  clearNotice: () => void;
}

/** The session, persisted under `insight-garden-auth` as {state, version}. */
export const useAuthStore = create<AuthState>()(
  persist(
    (set) => ({
      isAuthenticated: false,
      user: null,
      accessToken: null,
      notice: null,
      logIn: (accessToken, user) => set({ isAuthenticated: true, accessToken, user, notice: null }),
      logOut: () => set({ isAuthenticated: false, accessToken: null, user: null, notice: null }),
      expireSession: () => set({ isAuthenticated: false, accessToken: null, user: null, notice: SESSION_EXPIRED }),
      clearNotice: () => set({ notice: null }),
    }),
    {
      name: 'insight-garden-auth',
      version: 0,
      storage: createJSONStorage(() => asyncStorage),
      partialize: ({ isAuthenticated, user, accessToken }) => ({ isAuthenticated, user, accessToken }),
      // Rehydration starts when the app has mounted (AppLayout), so the
      // gate's "Loading…" is on screen for the whole read.
      skipHydration: true,
    },
  ),
);
