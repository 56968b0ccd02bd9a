// A small store with Zustand's persist semantics: state in localStorage under
// one key as {"state": {...}, "version": 0}, rehydrated asynchronously, with
// hasHydrated() and onFinishHydration() for the layout's rehydration gate.

export function createPersistedStore(initial, { name, version = 0, partialize, delayMs = 0, persistWrites = true }) {
  let state = { ...initial };
  let hydrated = false;
  const listeners = new Set();
  const hydrationListeners = new Set();

  const write = () => {
    if (!persistWrites) return;
    const stored = { state: partialize(state), version };
    window.localStorage.setItem(name, JSON.stringify(stored));
  };

  const store = {
    getState: () => state,
    setState(patch) {
      state = { ...state, ...patch };
      write();
      listeners.forEach((listener) => listener(state));
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    persist: {
      hasHydrated: () => hydrated,
      onFinishHydration(listener) {
        hydrationListeners.add(listener);
        return () => hydrationListeners.delete(listener);
      },
      async rehydrate() {
        // Storage is read asynchronously, as with Zustand's async storages:
        // until this resolves the store holds its initial (logged-out) state.
        await new Promise((resolve) => setTimeout(resolve, delayMs));
        try {
          const raw = window.localStorage.getItem(name);
          const stored = raw ? JSON.parse(raw) : null;
          if (stored && stored.version === version && stored.state) {
            state = { ...state, ...stored.state };
          }
        } catch (error) {
          console.warn("ignoring unreadable persisted state", error);
        }
        hydrated = true;
        hydrationListeners.forEach((listener) => listener(state));
        listeners.forEach((listener) => listener(state));
      },
    },
  };
  return store;
}
