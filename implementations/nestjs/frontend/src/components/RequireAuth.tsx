import { Navigate, Outlet } from 'react-router';
import { useAuthStore } from '../store/authStore';

/**
 * The pages behind a login. Once the session is known (rehydrated), a
 * visitor without one goes to /login, and so does one whose session just
 * expired. Before rehydration nothing is known yet (a state only reachable
 * without the rehydration gate) and the page runs.
 */
export function RequireAuth() {
  const isAuthenticated = useAuthStore((s) => s.isAuthenticated);
  const notice = useAuthStore((s) => s.notice);
  if (!isAuthenticated && (notice !== null || useAuthStore.persist.hasHydrated())) {
    return <Navigate to="/login" replace />;
  }
  return <Outlet />;
}
