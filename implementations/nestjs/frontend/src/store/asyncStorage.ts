import type { StateStorage } from 'zustand/middleware';

/**
 * localStorage behind an asynchronous interface, as the app's persisted
 * session would be with IndexedDB, localForage or a native bridge: reads
 * resolve later (READ_DELAY_MS, 300 by default), so the store rehydrates
 * asynchronously and the first render always sees the logged-out initial
 * state. Writes land at once, so the stored session is there as soon as the
 * UI shows the logged-in app.
 */
const READ_DELAY_MS = Number(import.meta.env.VITE_STORAGE_READ_DELAY_MS ?? 300);

export const asyncStorage: StateStorage = {
  getItem: (name) =>
    new Promise((resolve) => {
      setTimeout(() => resolve(window.localStorage.getItem(name)), READ_DELAY_MS);
    }),
  setItem: async (name, value) => {
    window.localStorage.setItem(name, value);
  },
  removeItem: async (name) => {
    window.localStorage.removeItem(name);
  },
};
