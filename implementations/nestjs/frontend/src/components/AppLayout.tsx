import { useEffect, useState } from 'react';
import { Link, Outlet, useNavigate } from 'react-router';
import { preFix } from '../prefix';
import { useAuthStore } from '../store/authStore';

let rehydrationStarted = false;

/**
 * Whether the persisted session has been read back into the store. The
 * store skips hydration at creation; it starts here, once, after the first
 * render, and finishes asynchronously (the storage is asynchronous).
 */
function useHasHydrated(): boolean {
  const [hydrated, setHydrated] = useState(() => useAuthStore.persist.hasHydrated());
  useEffect(() => {
    const unsubscribe = useAuthStore.persist.onFinishHydration(() => setHydrated(true));
    if (!rehydrationStarted) {
      rehydrationStarted = true;
      void useAuthStore.persist.rehydrate();
    }
    setHydrated(useAuthStore.persist.hasHydrated());
    return unsubscribe;
  }, []);
  return hydrated;
}

function Header() {
  const { isAuthenticated, user, logOut } = useAuthStore();
  const navigate = useNavigate();
  return (
    <header className="app-header">
      <Link to="/app">Insight Garden</Link>
      {isAuthenticated && (
        <span>
          {user?.email}{' '}
          <button
            type="button"
            onClick={() => {
              logOut();
              navigate('/login');
            }}
          >
            Log out
          </button>
        </span>
      )}
    </header>
  );
}

/**
 * The rehydration gate (post-mortem §5.2): until the persisted session is
 * back in the store, show "Loading…" and render no page, so that no
 * request, the chat stream included, goes out with an empty token.
 */
export function AppLayout() {
  const hydrated = useHasHydrated();
  if (!hydrated && !preFix('no-hydration-gate')) {
    return (
      <main className="loading">
        <p>Loading…</p>
      </main>
    );
  }
  return (
    <>
      <Header />
      <Outlet />
    </>
  );
}
