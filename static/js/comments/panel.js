// The comments panel and the comment markers over the engraved score. Threads come from
// the HTTP API and live from the socket's ``comment`` events; every anchor is located
// against the page's own document (./anchors.js) after each edit, so a marker follows
// its note at once and a deleted note's thread shows "detached". Mentions of me arrive
// as ``notification`` events. Clicking a thread or a marker selects what it is about.
// Every user-supplied string is put in the page as text, never as HTML or CSS.

import { api } from "../app/api.js";
import { cssId } from "../app/css.js";
import { el, when } from "../history/dom.js";
import { anchorForSelection, describe, locate } from "./anchors.js";

const MENTION = /(^|[^\w.@-])(@[A-Za-z0-9_.-]{1,40})(?![A-Za-z0-9_.-])/g;

/** ``text`` as nodes, each ``@name`` in its own span (text only: no markup from users). */
function withMentions(text) {
  const out = [];
  let last = 0;
  for (const match of text.matchAll(MENTION)) {
    const start = match.index + match[1].length;
    out.push(text.slice(last, start), el("span", { className: "comment-mention" }, match[2]));
    last = start + match[2].length;
  }
  out.push(text.slice(last));
  return out;
}

/** Mount the panel; returns a handle (used by the browser tests). */
export function initComments({ container, scoreArea, scoreEl, scoreId, socket, getDoc, getIndex, getSelection, getRole, getUser, select, say }) {
  const base = `/api/scores/${encodeURIComponent(scoreId)}/comments`;
  const threads = new Map(); // thread id -> thread (as the API sends it)
  const state = { showResolved: false, open: null, unread: [] };
  const drafts = new Map(); // thread id -> the reply being typed there
  const body = container.querySelector(".comments-body");
  const count = container.querySelector(".comments-count");
  const markers = scoreArea.appendChild(el("div", { className: "comment-markers", id: "comment-markers" }));

  const text = el("textarea", { id: "comment-text", rows: 2, maxLength: 4000, placeholder: "Comment on the selected note or measures… (@name to mention)" });
  const post = el("button", { type: "submit", id: "comment-post" }, "Comment");
  const scope = el(
    "select",
    { id: "comment-scope", title: "What the comment is about" },
    el("option", { value: "auto" }, "on the selected note"),
    el("option", { value: "measures" }, "on its measures"),
    el("option", { value: "part" }, "on its part"),
  );
  const form = el("form", { className: "comment-form", id: "comment-form", onsubmit: (e) => (e.preventDefault(), create()) }, text, el("div", { className: "comment-send" }, scope, post));
  const exportLink = el("a", { className: "comments-export", id: "comments-export", href: `/api/scores/${encodeURIComponent(scoreId)}/history/export?format=comments-csv`, download: "" }, "export (CSV)");
  const resolvedToggle = el("input", { type: "checkbox", id: "comments-show-resolved", onchange: () => ((state.showResolved = resolvedToggle.checked), draw()) });
  const message = el("p", { className: "comment-message", id: "comment-message", role: "status" });
  const list = el("ol", { className: "comment-threads", id: "comment-threads" });
  body.append(form, el("div", { className: "comments-filter" }, el("label", {}, resolvedToggle, " show resolved"), exportLink), message, list);

  const tell = (t) => (message.textContent = t);
  const canComment = () => ["commenter", "editor", "owner"].includes(getRole());

  async function load() {
    try {
      const found = await api(base);
      threads.clear();
      for (const t of found.threads) threads.set(t.id, t);
      draw();
    } catch (error) {
      tell(`Comments unavailable: ${error.message}`);
    }
  }

  async function call(path, method, payload) {
    try {
      return await api(path, { method, body: payload });
    } catch (error) {
      tell(`Not done: ${error.message}`);
      return null;
    }
  }

  function take(answer) {
    if (!answer) return;
    if (answer.thread) threads.set(answer.thread_id, answer.thread);
    else threads.delete(answer.thread_id);
    draw();
  }

  async function create() {
    const index = getIndex();
    const { selection, note } = getSelection();
    const anchor = index && anchorForSelection(index, selection, note, scope.value);
    if (!anchor) return tell("Select a note or a measure to comment on first");
    if (!text.value.trim()) return tell("Write something first");
    const sent = text.value;
    const answer = await call(base, "POST", { body: sent, anchor });
    if (answer) {
      if (text.value === sent) text.value = ""; // keep what was typed meanwhile
      tell("");
      state.open = answer.thread_id;
      take(answer);
    }
  }

  // --- drawing ---------------------------------------------------------------------------

  function located(thread) {
    const doc = getDoc();
    return doc ? locate(thread.anchor, doc) : thread.location;
  }

  function draw() {
    const doc = getDoc();
    form.hidden = !canComment();
    const all = [...threads.values()];
    const open = all.filter((t) => !t.resolved);
    count.textContent = open.length ? `${open.length} open` : "";
    // A reply being typed survives the redraw (collaborators' comments arrive any time).
    const typing = document.activeElement && document.activeElement.closest && document.activeElement.closest(".comment-thread");
    const caret = typing ? document.activeElement.selectionStart : null;
    list.replaceChildren(...all.filter((t) => state.showResolved || !t.resolved || t.id === state.open).map((t) => item(t, doc)));
    if (typing) {
      const again = list.querySelector(`[data-thread-id="${typing.dataset.threadId}"] .comment-reply-text`);
      if (again) {
        again.focus();
        again.setSelectionRange(caret, caret);
      }
    }
    drawMarkers();
  }

  /** After a score edit: only where each thread points changes (labels, state, markers). */
  function relocate() {
    const doc = getDoc();
    if (!doc) return;
    for (const li of list.querySelectorAll(".comment-thread")) {
      const thread = threads.get(Number(li.dataset.threadId));
      if (!thread) continue;
      const where = located(thread);
      li.dataset.state = where.state;
      li.querySelector(".comment-anchor").textContent = describe(thread.anchor, where, doc);
    }
    drawMarkers();
  }

  function item(thread, doc) {
    const where = located(thread);
    const li = el("li", {
      className: "comment-thread",
      dataset: { threadId: String(thread.id), state: where.state, resolved: String(Boolean(thread.resolved)) },
    });
    if (thread.id === state.open) li.classList.add("open");
    const label = el("span", { className: "comment-anchor" }, doc ? describe(thread.anchor, where, doc) : "");
    const head = el("div", { className: "comment-head", onclick: () => focus(thread.id) }, label, thread.resolved ? el("span", { className: "comment-badge" }, "resolved") : null);
    li.append(head, comment(thread), ...thread.replies.map(comment));
    if (canComment()) li.append(actions(thread));
    return li;
  }

  function comment(c) {
    const me = getUser();
    const mine = me && c.author.id === me.id;
    const box = el(
      "div",
      { className: "comment", dataset: { commentId: String(c.id) } },
      el("span", { className: "comment-author" }, c.author.display_name || c.author.name),
      " ",
      el("span", { className: "comment-time", title: `written at score version ${c.seq}` }, `${when(c.created_at)}${c.edited_at ? " (edited)" : ""} · v${c.seq}`),
      el("p", { className: "comment-body" }, ...withMentions(c.body)),
    );
    if (canComment() && (mine || getRole() === "owner")) {
      const tools = el("span", { className: "comment-tools" });
      if (mine) tools.append(el("button", { type: "button", className: "link comment-edit", onclick: () => edit(c) }, "edit"));
      tools.append(el("button", { type: "button", className: "link comment-delete", onclick: () => remove(c) }, "delete"));
      box.append(tools);
    }
    return box;
  }

  function actions(thread) {
    const reply = el("input", {
      className: "comment-reply-text",
      placeholder: "Reply…",
      maxLength: 4000,
      value: drafts.get(thread.id) || "",
      oninput: () => drafts.set(thread.id, reply.value),
    });
    const send = async (e) => {
      e.preventDefault();
      const sent = reply.value;
      if (!sent.trim()) return;
      const answer = await call(base, "POST", { body: sent, parent: thread.id });
      if (answer) {
        if (drafts.get(thread.id) === sent) drafts.delete(thread.id);
        take(answer);
      }
    };
    const toggle = el(
      "button",
      { type: "button", className: "comment-resolve", onclick: async () => take(await call(`${base}/${thread.id}/${thread.resolved ? "reopen" : "resolve"}`, "POST", {})) },
      thread.resolved ? "Reopen" : "Resolve",
    );
    return el("form", { className: "comment-actions", onsubmit: send }, reply, el("button", { type: "submit", className: "comment-reply" }, "Reply"), toggle);
  }

  async function edit(c) {
    const changed = window.prompt("Edit your comment", c.body);
    if (changed !== null && changed.trim() && changed !== c.body) take(await call(`${base}/${c.id}`, "PATCH", { body: changed }));
  }

  async function remove(c) {
    if (window.confirm(c.parent ? "Delete this reply?" : "Delete this comment and its replies?")) take(await call(`${base}/${c.id}`, "DELETE"));
  }

  // --- markers over the engraved score ------------------------------------------------------

  /** The SVG element a location is drawn at: the note (or chord), else the measure's staff. */
  function target(where) {
    if (where.state !== "attached") return null;
    const index = getIndex();
    if (where.event) {
      const info = index && index.events.get(where.event);
      const ids = [where.note, where.event, ...(info ? info.event.notes.map((n) => n.id) : [])].filter(Boolean);
      for (const id of ids) {
        const found = scoreEl.querySelector(cssId(id));
        if (found) return found;
      }
    }
    const doc = getDoc();
    // A part's comment sits on the part's first measure.
    const measureId = where.measure || (doc && doc.measures.length ? doc.measures[0].id : null);
    const measure = measureId && scoreEl.querySelector(cssId(measureId));
    if (!measure) return null;
    const part = where.part && doc ? doc.parts.findIndex((p) => p.id === where.part) : 0;
    return measure.querySelectorAll("g.staff")[Math.max(part, 0)] || measure;
  }

  function drawMarkers() {
    const origin = scoreArea.getBoundingClientRect();
    const placed = [];
    const drawn = [];
    for (const thread of threads.values()) {
      if (thread.resolved) continue;
      const where = located(thread);
      const svg = target(where);
      if (!svg) continue;
      const box = svg.getBoundingClientRect();
      if (!box.width && !box.height) continue;
      // A part's marker sits at the start of its staff, everything else at the top right.
      const x = thread.anchor.kind === "part" ? box.left - 22 : box.right - 2;
      let left = x - origin.left + scoreArea.scrollLeft;
      const top = box.top - origin.top + scoreArea.scrollTop - 18;
      // Two threads on one spot sit side by side, not on top of each other.
      while (placed.some(([l, t]) => Math.abs(l - left) < 14 && Math.abs(t - top) < 14)) left += 16;
      placed.push([left, top]);
      const marker = el(
        "button",
        {
          type: "button",
          className: `comment-marker${thread.id === state.open ? " open" : ""}`,
          title: `${thread.author.display_name || thread.author.name}: ${thread.body.slice(0, 120)}`,
          dataset: { threadId: String(thread.id), kind: thread.anchor.kind },
          onclick: (e) => (e.stopPropagation(), focus(thread.id)),
        },
        String(1 + thread.replies.length),
      );
      marker.style.left = `${left}px`;
      marker.style.top = `${top}px`;
      drawn.push(marker);
    }
    markers.replaceChildren(...drawn);
  }

  /** Open a thread in the panel and select what it is about in the score. */
  function focus(threadId) {
    const thread = threads.get(threadId);
    if (!thread) return;
    state.open = threadId;
    container.open = true;
    const where = located(thread);
    const index = getIndex();
    if (where.state === "attached" && index) {
      if (where.event) select([where.event], { note: where.note || null });
      else if (where.measure) {
        const first = where.first - 1;
        const last = where.last - 1;
        const events = [...index.events.values()].filter(
          (e) => e.measureIndex >= first && e.measureIndex <= last && (!where.part || e.part === where.part) && e.voice === "1",
        );
        select(events.map((e) => e.event.id));
      }
    }
    draw();
    const row = list.querySelector(`[data-thread-id="${threadId}"]`);
    if (row) row.scrollIntoView({ block: "nearest" });
  }

  // --- live ----------------------------------------------------------------------------

  socket.on("comment", (change) => {
    if (change.score !== scoreId) return;
    if (change.thread) threads.set(change.thread_id, change.thread);
    else threads.delete(change.thread_id);
    draw();
  });
  const badge = document.getElementById("mentions");
  function drawBadge() {
    if (!badge) return;
    badge.hidden = !state.unread.length;
    badge.textContent = `@ ${state.unread.length}`;
    badge.title = state.unread.map((n) => `${n.actor.name}: ${n.excerpt}`).join("\n");
  }
  if (badge) {
    badge.addEventListener("click", async () => {
      // Show the newest mention of this score, then count them all as read.
      const here = state.unread.find((n) => n.score === scoreId && threads.has(n.thread));
      if (here) focus(here.thread);
      const ids = state.unread.map((n) => n.id);
      state.unread = [];
      drawBadge();
      if (ids.length) await call("/api/notifications/read", "POST", { ids });
    });
    api("/api/notifications").then((found) => ((state.unread = found.notifications), drawBadge()), () => {});
  }
  socket.on("notification", (note) => {
    state.unread.unshift(note); // newest first, as GET /api/notifications lists them
    drawBadge();
    if (note.score === scoreId && note.kind === "mention") {
      say(`${note.actor.display_name || note.actor.name} mentioned you: ${note.excerpt}`);
    }
  });
  // A rejoin after a disconnect may have missed changes: read them again.
  socket.on("connect", () => load());
  scoreEl.addEventListener("rendered", () => drawMarkers());
  window.addEventListener("resize", () => drawMarkers());

  load();
  return {
    threads,
    state,
    load,
    draw,
    focus,
    /** Re-locate every anchor after the document changed (called by the editor). */
    docChanged: () => relocate(),
    markers: () => [...markers.querySelectorAll(".comment-marker")],
  };
}
