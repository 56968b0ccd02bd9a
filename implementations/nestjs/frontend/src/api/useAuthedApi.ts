import { useCallback } from 'react';
import { useAuthStore } from '../store/authStore';
import { UnauthorizedError } from './client';

/**
 * Runs an authenticated call with the current token; a 401 ends the
 * session ("Session expired, please log in again") and RequireAuth sends
 * the user to /login.
 */
export function useAuthedApi() {
  const expireSession = useAuthStore((s) => s.expireSession);
  return useCallback(
    async <T,>(call: (token: string | null) => Promise<T>): Promise<T | undefined> => {
      try {
        return await call(useAuthStore.getState().accessToken);
      } catch (error) {
        if (error instanceof UnauthorizedError) {
          expireSession();
          return undefined;
        }
        throw error;
      }
    },
    [expireSession],
  );
}
