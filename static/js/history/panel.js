// The history panel: entries (author colour, time, origin badge, description) with filters,
// revert of one entry or of everything matching the filters (showing what was kept), the blame
// of the selected note, the authorship colours, and the timeslider / versions / diff.
// Talks to the HTTP API only: reverts and restores come back as normal edits over the socket.

import { api } from "../app/api.js";
import { cssColour, cssId, el, when } from "./dom.js";
import { TimeSlider } from "./timeslider.js";

const ORIGINS = { human: "", helper: "helper", revert: "revert", import: "import", restore: "restore" };
const REFRESH_MS = 300;
const PAGE = 100; // entries per page

/** Notes of the element ``id`` (a note, or an event's notes) in ``doc``. */
function notesOf(doc, id) {
  for (const part of doc.parts) {
    for (const bar of Object.values(part.bars)) {
      for (const events of Object.values(bar.voices)) {
        for (const event of events) {
          if (event.id === id) return event.notes.map((n) => n.id);
          if (event.notes.some((n) => n.id === id)) return [id];
        }
      }
    }
  }
  return [];
}

/** Mount the panel; returns a handle (used by the browser tests). */
export function initHistory({ container, view, scoreArea, scoreId, socket, getDoc, getHead, getSelection }) {
  const base = `/api/scores/${encodeURIComponent(scoreId)}`;
  const body = container.querySelector(".history-body") || container.appendChild(el("div", { className: "history-body" }));
  const status = el("p", { className: "history-status", id: "history-status", role: "status" });
  const say = (text) => (status.textContent = text);
  const tint = document.head.appendChild(el("style", { id: "history-authorship-style" }));
  // ``expanded``: seqs of edits whose entry is shown edit by edit (kept across refreshes).
  // ``shownEdits``: the single edits last fetched for an expanded entry (by its seqs).
  const state = { entries: [], authors: new Map(), blame: null, timer: null, oldest: null, expanded: new Set(), shownEdits: new Map() };

  // --- filters and bulk revert --------------------------------------------------------------
  const author = el("select", { id: "history-author" }, el("option", { value: "" }, "anyone"));
  const origin = el(
    "select",
    { id: "history-origin" },
    el("option", { value: "" }, "any origin"),
    ...Object.keys(ORIGINS).map((o) => el("option", { value: o }, o)),
  );
  const part = el("select", { id: "history-part" }, el("option", { value: "" }, "all parts"));
  const fromM = el("input", { id: "history-from-measure", type: "number", min: 1, placeholder: "from m." });
  const toM = el("input", { id: "history-to-measure", type: "number", min: 1, placeholder: "to m." });
  const since = el("input", { id: "history-since", type: "datetime-local", title: "since" });
  const until = el("input", { id: "history-until", type: "datetime-local", title: "until" });
  const bulk = el("button", { type: "button", id: "history-revert-matching" }, "Revert all matching");
  const report = el("div", { className: "history-report", id: "history-report" });
  const filters = el(
    "form",
    { className: "history-filters", onsubmit: (e) => (e.preventDefault(), refresh()) },
    author,
    origin,
    part,
    fromM,
    toM,
    since,
    until,
    el("button", { type: "submit", id: "history-filter" }, "Filter"),
    bulk,
  );
  const list = el("ol", { className: "history-entries", id: "history-entries" });
  const older = el("button", { type: "button", id: "history-older", hidden: true }, "Show older edits");

  // --- blame and authorship colours -----------------------------------------------------------
  const blameBox = el("div", { className: "history-blame", id: "history-blame" }, "Select a note to see who wrote it.");
  const authorship = el("input", { type: "checkbox", id: "history-authorship" });
  const legend = el("span", { className: "history-legend", id: "history-legend" });

  const controls = el("section", { className: "history-timeslider" });
  const versionsBox = el("section", { className: "history-versions-box" });
  body.append(
    status,
    el("h3", {}, "Edits"),
    filters,
    report,
    list,
    older,
    el("h3", {}, "Who wrote this?"),
    blameBox,
    el("label", { className: "history-switch" }, authorship, " Authorship colours (tint notes by who last wrote them) "),
    legend,
    controls,
    versionsBox,
  );
  const slider = new TimeSlider({ view, controls, versionsBox, scoreId, getHead, say });

  function query() {
    const q = new URLSearchParams();
    const put = (k, v) => v && q.set(k, v);
    put("author", author.value);
    put("origin", origin.value);
    put("part", part.value);
    put("from_measure", fromM.value);
    put("to_measure", toM.value);
    if (since.value) q.set("since", new Date(since.value).toISOString());
    if (until.value) q.set("until", new Date(until.value).toISOString());
    return q;
  }

  function person(p) {
    if (p && p.id !== null && !state.authors.has(String(p.id))) {
      state.authors.set(String(p.id), p);
      author.append(el("option", { value: String(p.id) }, p.name));
    }
    return p;
  }

  function entryItem(entry) {
    const who = person(entry.author);
    const badge = ORIGINS[entry.origin] ? el("span", { className: `history-badge history-origin-${entry.origin}` }, ORIGINS[entry.origin]) : null;
    const seqs = entry.seqs;
    const label = seqs.length > 1 ? `edits ${seqs[0]}–${seqs[seqs.length - 1]}` : `edit ${seqs[0]}`;
    const item = el(
      "li",
      { className: "history-entry", dataset: { seqs: seqs.join(" "), origin: entry.origin, author: String(who.id) } },
      el("span", { className: "history-swatch", style: `background:${cssColour(who.colour)}`, title: who.name }),
      el("span", { className: "history-who" }, who.name),
      " ",
      el("time", { className: "history-time", dateTime: entry.ended_at, title: label }, when(entry.ended_at)),
      " ",
      badge,
      " ",
      el("span", { className: "history-summary", title: entry.descriptions.join("\n") }, entry.summary),
      " ",
      el("button", { type: "button", className: "history-view-at", title: "See the score right after this", onclick: () => slider.show(seqs[seqs.length - 1]) }, "view"),
      " ",
      el("button", { type: "button", className: "history-revert", title: `Undo ${label} (later changes by others are kept)`, onclick: () => revert({ seqs }) }, "revert"),
    );
    if (seqs.length > 1) {
      // A group of edits (one person within a minute, or everything the filters merge):
      // shown edit by edit on demand, each one viewable and revertible alone.
      const edits = el("ol", { className: "history-edits", hidden: true });
      const toggle = el("button", { type: "button", className: "history-expand", "aria-expanded": "false", title: `Show the ${seqs.length} edits one by one` }, `${seqs.length} edits ▸`);
      toggle.addEventListener("click", () => (toggle.getAttribute("aria-expanded") === "true" ? collapse(item, toggle, edits) : expand(item, toggle, edits)));
      item.insertBefore(toggle, item.querySelector(".history-view-at"));
      item.insertBefore(document.createTextNode(" "), item.querySelector(".history-view-at"));
      item.append(edits);
      if (seqs.some((s) => state.expanded.has(s))) {
        // Shown expanded at once, with the edits it showed before (a refresh must not
        // flicker it closed or empty while its edits are fetched again).
        toggle.setAttribute("aria-expanded", "true");
        toggle.textContent = `${seqs.length} edits ▾`;
        const shown = state.shownEdits.get(item.dataset.seqs);
        if (shown) {
          edits.replaceChildren(...shown.map(editItem));
          edits.hidden = false;
        }
        expand(item, toggle, edits);
      }
    }
    return item;
  }

  function editItem(entry) {
    const [seq] = entry.seqs;
    return el(
      "li",
      { className: "history-edit", dataset: { seq: String(seq) } },
      el("time", { className: "history-time", dateTime: entry.ended_at, title: `edit ${seq}` }, when(entry.ended_at)),
      " ",
      el("span", { className: "history-summary" }, entry.summary),
      " ",
      el("button", { type: "button", className: "history-view-at", title: "See the score right after this edit", onclick: () => slider.show(seq) }, "view"),
      " ",
      el("button", { type: "button", className: "history-revert-one", title: `Undo edit ${seq} alone (later changes by others are kept)`, onclick: () => revert({ seqs: [seq] }) }, "revert"),
    );
  }

  async function expand(item, toggle, edits) {
    const seqs = item.dataset.seqs.split(" ").map(Number);
    const q = query();
    q.set("expand", String(seqs[0]));
    // Remembered before the fetch: a refresh re-rendering the list meanwhile expands its
    // new item itself (this one is then detached and its answer goes nowhere visible).
    for (const s of seqs) state.expanded.add(s);
    try {
      const found = await api(`${base}/history?${q}`);
      state.shownEdits.set(item.dataset.seqs, found.entries);
      edits.replaceChildren(...found.entries.map(editItem));
      edits.hidden = false;
      toggle.setAttribute("aria-expanded", "true");
      toggle.textContent = `${seqs.length} edits ▾`;
    } catch (error) {
      for (const s of seqs) state.expanded.delete(s);
      say(`Cannot show the edits: ${error.message}`);
    }
  }

  function collapse(item, toggle, edits) {
    edits.hidden = true;
    toggle.setAttribute("aria-expanded", "false");
    toggle.textContent = `${edits.children.length} edits ▸`;
    for (const s of item.dataset.seqs.split(" ").map(Number)) state.expanded.delete(s);
    state.shownEdits.delete(item.dataset.seqs);
  }

  // A page of the newest entries; "Show older" pages back (long logs stay cheap to show).
  async function fetchPage(before) {
    const q = query();
    q.set("limit", String(PAGE));
    if (before) q.set("before", String(before));
    const found = await api(`${base}/history?${q}`);
    older.hidden = found.entries.length < PAGE;
    state.oldest = found.entries.length ? found.entries[0].seqs[0] : null;
    return found;
  }

  async function refresh() {
    try {
      const found = await fetchPage(null);
      state.entries = found.entries;
      // Newest first: that is what people look for.
      list.replaceChildren(...found.entries.slice().reverse().map(entryItem));
      if (!found.entries.length) list.append(el("li", { className: "history-empty" }, "No edits match."));
      slider.headMoved(found.head);
      say("");
    } catch (error) {
      say(`Cannot load the history: ${error.message}`);
    }
  }

  older.addEventListener("click", async () => {
    if (!state.oldest) return;
    const found = await fetchPage(state.oldest);
    state.entries = [...found.entries, ...state.entries];
    list.append(...found.entries.slice().reverse().map(entryItem));
  });

  function showReport(result) {
    const lines = result.conflicts || [];
    const done = result.seq
      ? `Reverted ${result.reverted.length ? `edit${result.reverted.length > 1 ? "s" : ""} ${result.reverted.join(", ")}` : "nothing"} as edit ${result.seq}.`
      : "Nothing could be reverted.";
    report.replaceChildren(
      el("p", {}, done),
      ...(lines.length ? [el("p", {}, "Kept (changed later, so not reverted):"), el("ul", { className: "history-conflicts" }, ...lines.map((l) => el("li", {}, l)))] : []),
    );
  }

  async function revert(payload) {
    try {
      const result = await api(`${base}/revert`, { method: "POST", body: payload });
      showReport(result);
    } catch (error) {
      report.replaceChildren(el("p", { className: "history-error" }, `Cannot revert: ${error.message}`));
    }
  }

  bulk.addEventListener("click", () => {
    const q = query();
    const selector = Object.fromEntries(q.entries());
    if (selector.author) selector.author = Number(selector.author);
    if (!Object.keys(selector).length) return say("Choose an author, origin, part, measures or time first");
    revert(selector);
  });

  // --- blame ---------------------------------------------------------------------------------

  async function loadBlame() {
    state.blame = await api(`${base}/blame`);
    for (const p of Object.values(state.blame.authors)) person(p);
    drawAuthorship();
  }

  function drawAuthorship() {
    if (!authorship.checked || !state.blame) {
      tint.textContent = "";
      legend.replaceChildren();
      return;
    }
    const byAuthor = new Map();
    for (const [id, who] of Object.entries(state.blame.colours)) {
      if (!byAuthor.has(who)) byAuthor.set(who, []);
      byAuthor.get(who).push(`#score ${cssId(id)}`);
    }
    const rules = [];
    for (const [who, selectors] of byAuthor) {
      const colour = cssColour((state.blame.authors[who] || {}).colour);
      rules.push(`${selectors.join(",")} { fill: ${colour}; stroke: ${colour}; }`);
    }
    tint.textContent = rules.join("\n");
    legend.replaceChildren(
      ...[...byAuthor.keys()].map((who) => {
        const p = state.blame.authors[who] || { name: who, colour: "#888" };
        return el("span", { className: "history-legend-item" }, el("span", { className: "history-swatch", style: `background:${cssColour(p.colour)}` }), p.name);
      }),
    );
  }

  authorship.addEventListener("change", async () => {
    if (authorship.checked) await loadBlame();
    drawAuthorship();
  });
  // ``?authorship=1`` (the classes dashboard's "tinted by student" link): open the panel
  // with the authorship colours on.
  if (new URLSearchParams(location.search).get("authorship") === "1") {
    container.open = true;
    authorship.checked = true;
    loadBlame().then(drawAuthorship, (e) => say(e.message));
  }

  function stampText(stamp) {
    const helper = stamp.origin === "helper" ? ` (helper suggestion, accepted by ${stamp.accepted_by})` : "";
    const how = stamp.origin === "human" || stamp.origin === "helper" ? "" : ` [${stamp.origin}]`;
    return `${stamp.author ? stamp.author.name : stamp.author_name}, edit ${stamp.seq}${helper}${how}`;
  }

  async function showBlame() {
    const selection = getSelection();
    const id = selection && notesOf(getDoc(), selection)[0];
    if (!id) {
      blameBox.textContent = "Select a note to see who wrote it.";
      return;
    }
    try {
      const { element } = await api(`${base}/blame/${encodeURIComponent(id)}`);
      blameBox.replaceChildren(
        el("div", { className: "history-blame-created" }, "Created by ", stampText(element.created)),
        element.changed
          ? el("div", { className: "history-blame-changed" }, `Last changed (${element.changed_props.join(", ")}) by `, stampText(element.changed))
          : el("div", { className: "history-blame-changed" }, "Not changed since."),
        // Put back as its writers left it by a restore or revert: they keep the credit.
        ...(element.restored_by ? [el("div", { className: "history-blame-restored" }, "Restored by ", stampText(element.restored_by))] : []),
      );
      blameBox.dataset.element = id;
    } catch (error) {
      blameBox.textContent = error.status === 404 ? "Not saved yet." : `Cannot load the blame: ${error.message}`;
    }
  }

  // --- following the live score ----------------------------------------------------------------

  function fillParts() {
    const doc = getDoc();
    if (!doc || part.options.length > 1) return;
    for (const p of doc.parts) part.append(el("option", { value: p.id }, p.name || p.id));
  }

  function scheduleRefresh() {
    clearTimeout(state.timer);
    state.timer = setTimeout(async () => {
      if (!container.open) return;
      fillParts();
      await refresh();
      if (authorship.checked) await loadBlame();
    }, REFRESH_MS);
  }

  socket.on("edit", (wire) => {
    if (wire.score !== scoreId) return;
    scheduleRefresh();
  });
  // The editor keeps the selection; look it up again after each click or key in the score.
  const blameSoon = () => container.open && setTimeout(showBlame, 50);
  scoreArea.addEventListener("click", blameSoon);
  scoreArea.addEventListener("keyup", blameSoon);
  container.addEventListener("toggle", () => {
    if (!container.open) return;
    fillParts();
    refresh();
    slider.loadVersions();
    showBlame();
  });

  return { refresh, revert, showBlame, loadBlame, slider, state };
}
