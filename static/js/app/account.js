// The account page: change the password (revokes other sessions and all tokens) and
// issue, list and revoke API tokens. Every string from the server goes in as text.

import { api } from "./api.js";

const error = document.getElementById("account-error");
const status = document.getElementById("password-status");
const tbody = document.querySelector("#token-list tbody");
const fresh = document.getElementById("new-token");

function day(iso) {
  return iso ? new Date(iso).toLocaleString() : "never";
}

function cell(text) {
  const td = document.createElement("td");
  td.textContent = text;
  return td;
}

async function refresh() {
  const { tokens } = await api("/api/tokens");
  if (!tokens.length) {
    const none = cell("No API tokens.");
    none.colSpan = 5;
    const tr = document.createElement("tr");
    tr.append(none);
    tbody.replaceChildren(tr);
    return;
  }
  tbody.replaceChildren(
    ...tokens.map((t) => {
      const tr = document.createElement("tr");
      tr.dataset.token = t.id;
      const revoke = document.createElement("button");
      revoke.textContent = "Revoke";
      revoke.addEventListener("click", () => act(async () => {
        await api(`/api/tokens/${t.id}`, { method: "DELETE" });
        fresh.hidden = true;
        await refresh();
      }));
      const actions = document.createElement("td");
      actions.append(revoke);
      tr.append(cell(t.label || "(no label)"), cell(day(t.created_at)), cell(day(t.last_used_at)), cell(day(t.expires_at)), actions);
      return tr;
    }),
  );
}

async function act(fn) {
  error.textContent = "";
  try {
    await fn();
  } catch (e) {
    error.textContent = e.message;
  }
}

document.getElementById("password-form").addEventListener("submit", (event) => {
  event.preventDefault();
  const form = event.target;
  act(async () => {
    const result = await api("/api/password", { method: "POST", body: Object.fromEntries(new FormData(form)) });
    form.reset();
    fresh.hidden = true;
    status.textContent = `Password changed; ${result.revoked} other session(s) and token(s) revoked.`;
    await refresh();
  });
});

document.getElementById("token-form").addEventListener("submit", (event) => {
  event.preventDefault();
  const form = event.target;
  act(async () => {
    const { token } = await api("/api/token", { method: "POST", body: { label: form.label.value } });
    form.reset();
    fresh.querySelector("code").textContent = token;
    fresh.hidden = false;
    await refresh();
  });
});

act(refresh);
