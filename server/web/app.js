// Insight Garden's web app: login, register, the document list and the chat
// page. The layout waits for the persisted session to rehydrate (showing
// "Loading…") before it renders a page or makes an authenticated request:
// the fix of the post-mortem, which the `no-hydration-gate` fault removes.

import { createPersistedStore } from "./store.js";
import { request, streamChat, UnauthorizedError } from "./api.js";

const config = window.__INSIGHT_GARDEN__;
const SESSION_EXPIRED = "Session expired, please log in again";

const store = createPersistedStore(
  { isAuthenticated: false, user: null, accessToken: null, flash: null },
  {
    name: "insight-garden-auth",
    version: 0,
    delayMs: config.hydrationDelayMs,
    persistWrites: !config.faults.includes("token-not-persisted"),
    partialize: ({ isAuthenticated, user, accessToken }) => ({ isAuthenticated, user, accessToken }),
  },
);

function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else if (value !== undefined && value !== null) node.setAttribute(key, value);
  }
  node.append(...children.filter((c) => c !== null && c !== undefined));
  return node;
}

function navigate(path) {
  window.history.pushState({}, "", path);
  mount();
}

function sessionExpired() {
  store.setState({ isAuthenticated: false, user: null, accessToken: null, flash: SESSION_EXPIRED });
  navigate("/login");
}

async function guarded(action) {
  try {
    return await action();
  } catch (error) {
    if (error instanceof UnauthorizedError) sessionExpired();
    else throw error;
  }
}

function header() {
  const { user, isAuthenticated } = store.getState();
  return el(
    "header",
    {},
    el("a", { href: "/app", onclick: (e) => { e.preventDefault(); navigate("/app"); } }, "Insight Garden"),
    isAuthenticated
      ? el("span", {}, user?.email ?? "", " ", el("button", { onclick: logout }, "Log out"))
      : null,
  );
}

function logout() {
  store.setState({ isAuthenticated: false, user: null, accessToken: null, flash: null });
  navigate("/login");
}

function flash() {
  const message = store.getState().flash;
  if (!message) return null;
  store.setState({ flash: null });
  return el("p", { class: "notice", role: "alert" }, message);
}

function credentialsPage(kind) {
  const isLogin = kind === "login";
  const error = el("p", { class: "notice", hidden: "" });
  const form = el(
    "form",
    {
      onsubmit: async (event) => {
        event.preventDefault();
        let data = Object.fromEntries(new FormData(form));
        if (isLogin && config.faults.includes("login-form-wrong-field")) {
          data = { username: data.email, password: data.password };
        }
        try {
          const path = isLogin ? "/auth/login" : "/auth/register";
          const { accessToken, user } = await request(path, { method: "POST", body: data });
          store.setState({ isAuthenticated: true, user, accessToken });
          navigate("/app");
        } catch (failure) {
          error.textContent = failure.message;
          error.removeAttribute("hidden");
        }
      },
    },
    isLogin ? null : el("input", { name: "name", placeholder: "Name" }),
    el("input", { name: "email", type: "email", placeholder: "Email", required: "" }),
    el("input", { name: "password", type: "password", placeholder: "Password", required: "" }),
    el("button", { type: "submit" }, isLogin ? "Log in" : "Create account"),
  );
  const other = isLogin ? ["/register", "Create an account"] : ["/login", "Log in instead"];
  return el(
    "main",
    {},
    el("h1", {}, isLogin ? "Log in" : "Create an account"),
    flash(),
    error,
    form,
    el("a", { href: other[0], onclick: (e) => { e.preventDefault(); navigate(other[0]); } }, other[1]),
  );
}

function documentsPage() {
  const list = el("ul", { class: "documents" });
  const load = () =>
    guarded(async () => {
      const documents = await request("/documents", { token: store.getState().accessToken });
      list.replaceChildren(
        ...documents.map((doc) =>
          el("li", {}, el("a", { href: `/chat/${doc.id}`, onclick: (e) => { e.preventDefault(); navigate(`/chat/${doc.id}`); } }, doc.title)),
        ),
      );
    });
  const form = el(
    "form",
    {
      onsubmit: async (event) => {
        event.preventDefault();
        const body = Object.fromEntries(new FormData(form));
        await guarded(() => request("/documents", { method: "POST", body, token: store.getState().accessToken }));
        form.reset();
        load();
      },
    },
    el("input", { name: "title", placeholder: "Title", required: "" }),
    el("textarea", { name: "content", placeholder: "Content", required: "" }),
    el("button", { type: "submit" }, "Create document"),
  );
  load();
  return el("main", {}, el("h1", {}, "Your documents"), list, el("h2", {}, "New document"), form);
}

function chatPage(id) {
  const title = el("h1", {}, "…");
  const answer = el("div", { class: "answer", "aria-live": "polite" });
  const status = el("p", { class: "notice", hidden: "" });
  guarded(async () => {
    const doc = await request(`/documents/${id}`, { token: store.getState().accessToken });
    title.textContent = doc.title;
  }).catch((failure) => {
    status.textContent = failure.message;
    status.removeAttribute("hidden");
  });
  const form = el(
    "form",
    {
      onsubmit: async (event) => {
        event.preventDefault();
        const { message } = Object.fromEntries(new FormData(form));
        answer.textContent = "";
        try {
          await guarded(() =>
            streamChat(id, message, store.getState().accessToken, (text) => {
              answer.textContent += text;
            }),
          );
        } catch (failure) {
          status.textContent = failure.message;
          status.removeAttribute("hidden");
        }
      },
    },
    el("textarea", { name: "message", placeholder: "Ask about this document", required: "" }),
    el("button", { type: "submit" }, "Send"),
  );
  return el("main", {}, title, status, form, answer);
}

function page(path) {
  const { isAuthenticated } = store.getState();
  if (path === "/login") return credentialsPage("login");
  if (path === "/register") return credentialsPage("register");
  const chat = path.match(/^\/chat\/([^/]+)$/);
  if (path !== "/app" && !chat) {
    window.history.replaceState({}, "", isAuthenticated ? "/app" : "/login");
    return page(window.location.pathname);
  }
  // After rehydration a logged-out visitor goes to the login page; before
  // it (only without the gate) nothing is known yet, and the page runs.
  if (store.persist.hasHydrated() && !isAuthenticated) {
    window.history.replaceState({}, "", "/login");
    return credentialsPage("login");
  }
  return chat ? chatPage(decodeURIComponent(chat[1])) : documentsPage();
}

function mount() {
  const root = document.getElementById("root");
  const gate = !config.faults.includes("no-hydration-gate");
  if (gate && !store.persist.hasHydrated()) {
    root.replaceChildren(el("main", {}, el("p", {}, "Loading…")));
    return;
  }
  const content = page(window.location.pathname);
  root.replaceChildren(header(), content);
}

window.addEventListener("popstate", mount);
store.persist.onFinishHydration(() => {
  if (!config.faults.includes("no-hydration-gate")) mount();
});
mount();
store.persist.rehydrate();
