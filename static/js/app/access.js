// What the editor shows someone who cannot (or can no longer) open the score: why, and a
// "Request access" button; it then waits for an owner's answer and opens the score once
// access is granted. Never a dead editor stuck on "joining…".

import { api } from "./api.js";

const POLL_MS = 3000;

function el(tag, props = {}, ...children) {
  const node = Object.assign(document.createElement(tag), props);
  for (const child of children) node.append(child);
  return node;
}

/**
 * Replace the editor with the no-access card. ``reason`` says why (e.g. "your access
 * to this score was removed"); ``onGranted`` runs when an owner lets us in.
 */
export function showNoAccess({ scoreId, reason = "", onGranted }) {
  for (const id of ["toolbar", "score-area", "helper-panel", "history-panel", "offline-banner", "status-line", "share-button"]) {
    const node = document.getElementById(id);
    if (node) node.style.display = "none"; // not ``hidden``: these are display: flex
  }
  let card = document.getElementById("no-access");
  if (!card) {
    card = el("section", { id: "no-access", className: "card no-access" });
    card.setAttribute("role", "status");
    document.querySelector("main").prepend(card);
  }
  const base = `/api/scores/${encodeURIComponent(scoreId)}`;
  let timer = null;

  function draw(state) {
    const heading = el("h2", { textContent: "You don't have access to this score" });
    const parts = [heading];
    if (reason) parts.push(el("p", { className: "reason", textContent: `${reason[0].toUpperCase()}${reason.slice(1)}.` }));
    if (state.loading) {
      parts.push(el("p", { className: "muted", textContent: "Checking…" }));
    } else if (state.missing) {
      parts.push(el("p", { textContent: "This score does not exist or was deleted." }));
    } else if (state.request === "pending") {
      parts.push(el("p", { className: "request-sent", textContent: "Request sent. The score opens here as soon as an owner approves it." }));
    } else {
      if (state.request === "denied") parts.push(el("p", { textContent: "An owner turned down your last request." }));
      const button = el("button", { type: "button", id: "request-access", textContent: "Request access" });
      button.addEventListener("click", async () => {
        button.disabled = true;
        try {
          draw(await api(`${base}/access-requests`, { method: "POST", body: {} }));
        } catch (e) {
          button.disabled = false;
          parts.at(-1).after(el("p", { className: "error", textContent: e.message }));
        }
      });
      parts.push(el("p", { textContent: "Ask the owners to let you in:" }), button);
    }
    parts.push(el("p", {}, el("a", { href: "/", textContent: "Back to your scores" })));
    card.replaceChildren(...parts);
  }

  async function poll() {
    let state;
    try {
      state = await api(`${base}/access`);
    } catch (e) {
      if (e.status === 401) {
        location.href = `/login?next=${encodeURIComponent(location.pathname)}`;
        return;
      }
      state = { role: null, request: null, missing: e.status === 404 };
    }
    if (state.role) {
      clearInterval(timer);
      onGranted();
      return;
    }
    draw(state);
  }
  draw({ loading: true });
  poll();
  timer = setInterval(poll, POLL_MS);
  document.getElementById("connection").textContent = "no access";
  document.getElementById("connection").dataset.state = "offline";
}
