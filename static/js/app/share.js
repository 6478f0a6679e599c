// The share dialog (editor and library): members and their roles, invite by user name,
// share links with a role and an optional expiry, and requests for access. Owners change
// things; other members see who is in and may leave. Every name and role is put in the
// page as text, never as HTML.

import { api } from "./api.js";

export const ROLES = ["owner", "editor", "commenter", "viewer"];
const LINK_ROLES = ["editor", "commenter", "viewer"];
const EXPIRIES = [
  ["", "never expires"],
  [String(1 / 24), "expires in 1 hour"],
  ["1", "expires in 1 day"],
  ["7", "expires in 7 days"],
  ["30", "expires in 30 days"],
];

function el(tag, props = {}, ...children) {
  const node = Object.assign(document.createElement(tag), props);
  for (const child of children) node.append(child);
  return node;
}

function select(name, values, current, labels = null) {
  const box = el("select", { name });
  for (const value of values) {
    const label = labels ? labels[value] ?? value : value;
    box.append(el("option", { value, textContent: label, selected: value === current }));
  }
  return box;
}

function base(score) {
  return `/api/scores/${encodeURIComponent(score)}`;
}

/** The dialog element, created once per page. */
function dialogElement() {
  let dialog = document.getElementById("share-dialog");
  if (!dialog) {
    dialog = el("dialog", { id: "share-dialog", className: "share-dialog" });
    dialog.setAttribute("aria-labelledby", "share-heading");
    document.body.append(dialog);
  }
  return dialog;
}

/**
 * Open the share dialog of ``score``. ``me`` is the user ({id, name}); ``onLeft`` runs
 * after I removed myself; ``title`` names the score in the heading.
 */
export async function openShareDialog(score, { me, title = "", onLeft = null } = {}) {
  const dialog = dialogElement();
  const state = { lastLink: null, error: "" };

  async function act(action) {
    state.error = "";
    try {
      await action();
    } catch (e) {
      state.error = e.message;
    }
    await draw();
  }

  async function draw() {
    let view;
    try {
      view = await api(`${base(score)}/members`);
    } catch (e) {
      dialog.replaceChildren(
        el("h2", { id: "share-heading", textContent: "Share" }),
        el("p", { className: "error", textContent: e.message }),
        closeButton(),
      );
      return;
    }
    const owner = view.role === "owner";
    const parts = [
      el("h2", { id: "share-heading", textContent: title ? `Share “${title}”` : "Share" }),
      membersSection(view, owner),
    ];
    if (owner) parts.push(inviteSection(), linksSection(view.links || []), requestsSection(view.requests || []));
    else parts.push(el("p", { className: "muted", textContent: `You are ${view.role}. Only owners can change who is in.` }));
    parts.push(el("p", { className: "error share-error", role: "alert", textContent: state.error }), closeButton());
    dialog.replaceChildren(...parts);
  }

  function closeButton() {
    const button = el("button", { type: "button", className: "share-close", textContent: "Done" });
    button.addEventListener("click", () => dialog.close());
    return el("div", { className: "share-actions" }, button);
  }

  function membersSection(view, owner) {
    const list = el("ul", { className: "share-members" });
    for (const m of view.members) {
      const row = el("li", { className: "share-member" });
      row.dataset.name = m.name;
      const who = el("span", { className: "who", textContent: m.display_name || m.name });
      who.style.setProperty("--c", /^#[0-9a-fA-F]{3,8}$/.test(m.colour || "") ? m.colour : "#888");
      const handle = el("span", { className: "handle", textContent: `@${m.name}${m.via_link ? " · via link" : ""}` });
      row.append(who, handle);
      if (owner) {
        const role = select("role", ROLES, m.role);
        role.setAttribute("aria-label", `Role of ${m.name}`);
        role.addEventListener("change", () =>
          act(() => api(`${base(score)}/members/${encodeURIComponent(m.name)}`, { method: "PATCH", body: { role: role.value } })),
        );
        row.append(role);
      } else {
        row.append(el("span", { className: "role", textContent: m.role }));
      }
      const mine = me && m.id === me.id;
      if (owner || mine) {
        const remove = el("button", { type: "button", className: "remove", textContent: mine ? "Leave" : "Remove" });
        remove.addEventListener("click", () =>
          act(async () => {
            await api(`${base(score)}/members/${encodeURIComponent(m.name)}`, { method: "DELETE" });
            if (mine && onLeft) onLeft();
          }),
        );
        row.append(remove);
      }
      list.append(row);
    }
    return el("section", {}, el("h3", { textContent: "People with access" }), list);
  }

  function inviteSection() {
    const form = el("form", { className: "share-invite row" });
    const name = el("input", { name: "name", placeholder: "user name", required: true, autocomplete: "off" });
    name.setAttribute("aria-label", "User name to invite");
    const role = select("role", ROLES.slice(1), "editor");
    role.setAttribute("aria-label", "Role for the invited user");
    form.append(name, role, el("button", { type: "submit", textContent: "Invite" }));
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      act(() => api(`${base(score)}/members`, { method: "POST", body: { name: name.value.trim(), role: role.value } }));
    });
    return el("section", {}, el("h3", { textContent: "Invite by user name" }), form);
  }

  function linksSection(links) {
    const form = el("form", { className: "share-link-form row" });
    const role = select("role", LINK_ROLES, "viewer");
    role.setAttribute("aria-label", "Role the link grants");
    const expiry = el("select", { name: "expiry" });
    expiry.setAttribute("aria-label", "Link expiry");
    for (const [value, label] of EXPIRIES) expiry.append(el("option", { value, textContent: label }));
    form.append(role, expiry, el("button", { type: "submit", textContent: "Create link" }));
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      const body = { role: role.value };
      if (expiry.value) body.expires_in_days = Number(expiry.value);
      act(async () => {
        state.lastLink = (await api(`${base(score)}/links`, { method: "POST", body })).link;
      });
    });
    const parts = [el("h3", { textContent: "Share links" }), form];
    if (state.lastLink) {
      const url = el("input", { className: "share-url", readOnly: true, value: state.lastLink.url });
      url.setAttribute("aria-label", "New share link");
      const copy = el("button", { type: "button", textContent: "Copy" });
      copy.addEventListener("click", async () => {
        url.select();
        try {
          await navigator.clipboard.writeText(url.value);
          copy.textContent = "Copied";
        } catch {
          document.execCommand("copy");
        }
      });
      parts.push(
        el("div", { className: "share-new-link row" }, url, copy),
        el("p", { className: "muted", textContent: "Copy it now: the link is shown only once." }),
      );
    }
    const list = el("ul", { className: "share-links" });
    for (const link of links) {
      const expires = link.expires_at ? `${link.expired ? "expired" : "expires"} ${new Date(link.expires_at).toLocaleString()}` : "never expires";
      const joined = `${link.members} joined`;
      const row = el("li", { className: "share-link" }, el("span", { textContent: `${link.role} link · ${expires} · ${joined}` }));
      row.dataset.linkId = String(link.id);
      const revoke = el("button", { type: "button", className: "revoke", textContent: "Revoke" });
      revoke.addEventListener("click", () =>
        act(async () => {
          await api(`${base(score)}/links/${link.id}`, { method: "DELETE" });
          if (state.lastLink && state.lastLink.id === link.id) state.lastLink = null;
        }),
      );
      row.append(revoke);
      list.append(row);
    }
    if (links.length) parts.push(list);
    return el("section", {}, ...parts);
  }

  function requestsSection(requests) {
    const list = el("ul", { className: "share-requests" });
    for (const r of requests) {
      const row = el("li", { className: "share-request" }, el("span", { textContent: `${r.display_name || r.name} (@${r.name}) asks for access` }));
      row.dataset.name = r.name;
      const role = select("role", ROLES.slice(1), "viewer");
      role.setAttribute("aria-label", `Role for ${r.name}`);
      const approve = el("button", { type: "button", className: "approve", textContent: "Approve" });
      const deny = el("button", { type: "button", className: "deny", textContent: "Deny" });
      const decide = (value) =>
        act(() => api(`${base(score)}/access-requests/${encodeURIComponent(r.name)}`, { method: "POST", body: { role: value } }));
      approve.addEventListener("click", () => decide(role.value));
      deny.addEventListener("click", () => decide(null));
      row.append(role, approve, deny);
      list.append(row);
    }
    const heading = el("h3", { textContent: `Requests for access (${requests.length})` });
    return el("section", {}, heading, requests.length ? list : el("p", { className: "muted", textContent: "No one is waiting." }));
  }

  await draw();
  if (!dialog.open) dialog.showModal();
  return dialog;
}
