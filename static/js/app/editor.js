// The editor page: wires the collaboration client, the engraver, selection,
// keyboard/mouse commands, presence and playback. Exposes ``window.tutti`` for
// tests and the benchmark (the document, the state, and a few hooks).

import { io } from "/vendor/socket.io/socket.io.esm.min.js";
import { applyEdit, clone } from "../score/index.js";
import { effectiveAttr } from "../score/model.js";
import { Engraver } from "../render/engraver.js";
import * as print from "../render/print.js";
import { listenToMidi } from "../editor/midi.js";
import { buildPiano } from "../editor/piano.js";
import { clefIn, eventAtX, pitchAtStaffStep, staffStep } from "../editor/mouse.js";
import { describeChange, describeEvent } from "../editor/announce.js";
import { initProvenance } from "../history/provenance.js";
import { refusalText } from "../editor/messages.js";
import { Collab } from "../sync/collab.js";
import { indexDoc, eventIdOf, eventRange, neighbour, touchedMeasures } from "../editor/lookup.js";
import * as cmd from "../editor/commands.js";
import { actionFor, fillHelp } from "../editor/keyboard.js";
import { ask } from "../editor/dialogs.js";
import { UndoHistory } from "../editor/undo.js";
import { Presence, cssId } from "../presence/presence.js";
import { Player } from "../playback/player.js";
import { currentUser, api } from "./api.js";
import { frac } from "../score/fraction.js";
import { keyAlter as keyAlterOf, keyOptions, midiOf } from "../editor/pitch.js";
import { initHelper } from "../helper/panel.js"; // voicing helper panel (helper hook)
import { initHistory } from "../history/panel.js"; // history panel (history hook)
import { openShareDialog } from "./share.js";
import { showNoAccess } from "./access.js";
import { initComments } from "../comments/panel.js"; // comments panel and score markers

const area = document.getElementById("score-area");
const scoreEl = document.getElementById("score");
const scoreId = area.dataset.scoreId;
const statusLine = document.getElementById("status-line");

function styleElement(id) {
  const el = document.createElement("style");
  el.id = id;
  document.head.appendChild(el);
  return el;
}
const selectionStyle = styleElement("selection-style");
const playingStyle = styleElement("playing-style");

// --- identities ------------------------------------------------------------------------

const clientId = `c${Math.random().toString(36).slice(2, 10)}`;
let counter = 0;
const ids = { next: () => `${clientId}-${++counter}` };

// --- state ------------------------------------------------------------------------------

const state = {
  selection: [],
  note: null,
  anchor: null,
  inputMode: false,
  cursor: null,
  dur: { type: 4 },
  clipboard: null,
  rejected: [],
};
let index = null;
let comments = null; // the comments panel (mounted once the page is wired)
let provenance = null; // the "who wrote what" panel
let renderedResolve;
const firstRender = new Promise((resolve) => (renderedResolve = resolve));

const engraver = new Engraver(scoreEl, { sliceSize: 4 });
// A long engraving (a big score opening) shows its systems as they come, with a count.
const engraveProgress = document.getElementById("engrave-progress");
scoreEl.addEventListener("progress", ({ detail }) => {
  engraveProgress.hidden = detail.done >= detail.total;
  engraveProgress.textContent = `Engraving… ${detail.done} of ${detail.total} systems`;
});
const socket = io({ transports: ["websocket"], reconnectionDelayMax: 2000 });

function say(text) {
  statusLine.textContent = text;
}

function describeMode() {
  const dur = `1/${state.dur.type}${state.dur.dots ? "." : ""}`;
  return state.inputMode ? `Note input — duration ${dur}` : "Normal mode (N: note input, ?: help)";
}

// --- rendering & selection styles ---------------------------------------------------------

/** SVG ids that show an element: an event is its own id plus its notes'. */
function expand(idList) {
  if (!index) return idList;
  const out = [];
  for (const id of idList) {
    out.push(id);
    const info = index.events.get(id);
    if (info) for (const n of info.event.notes) out.push(n.id);
  }
  return out;
}

function drawSelection() {
  const ids = state.note ? [state.note] : expand(state.selection);
  const sel = ids.map(cssId).join(",");
  selectionStyle.textContent = sel ? `${sel} { fill: var(--select); stroke: var(--select); }` : "";
}

async function docChanged(doc, { ops = null } = {}) {
  index = indexDoc(doc);
  const touched = ops ? touchedMeasures(index, ops) : null;
  state.selection = state.selection.filter((id) => index.events.has(id) || index.marks.has(id));
  if (state.note && !index.notes.has(state.note)) state.note = null;
  document.getElementById("score-title").textContent = doc.title || "Untitled";
  drawSelection();
  presence.draw();
  if (comments) comments.docChanged();
  if (provenance) provenance.changed();
  await engraver.render(doc, touched);
  renderedResolve();
}

// --- the collaboration client ----------------------------------------------------------------

const collab = new Collab({
  socket,
  scoreId,
  clientId,
  applyEdit,
  clone,
  onChange: (doc, info) => docChanged(doc, info),
  onStatus: (s) => showStatus(s),
  onRejected: (error, ops) => {
    undoHistory.refused(ops);
    state.rejected.push({ message: String(error.message || error), ops });
    // Musicians' words on the status line; the server's technical message in the console.
    say(refusalText(error));
    console.info("edit refused:", error && (error.code || ""), error && (error.message || error));
  },
});

// Undo/redo: selective reverts of our own edits, planned on the server against
// everyone's latest edits (docs/editor.md "Undo and redo").
const undoHistory = new UndoHistory({
  clientId,
  online: () => socket.connected,
  revert: (fields) =>
    new Promise((resolve) =>
      // volatile: never buffered while offline to be sent, unasked, after a reconnect.
      socket.volatile
        .timeout(10000)
        .emit("revert", { score: scoreId, ...fields }, (err, ack) => resolve(err ? null : ack)),
    ),
});
// Our own edits come back in the room's broadcast with their seq: what undo names.
socket.on("edit", (edit) => {
  if (edit.score === scoreId && edit.client_id === clientId) undoHistory.confirmed(edit.client_seq, edit.seq);
});

const presence = new Presence({
  list: document.getElementById("presence"),
  style: styleElement("presence-style"),
  mySid: () => socket.id,
  expand,
});
socket.on("presence", (message) => {
  if (message.score === scoreId) presence.update(message.peers);
});
socket.on("connect", () => sendSelection());
// A revoked session (logged out elsewhere, password changed): the server cuts the socket
// and refuses it on the retry; back to the log-in page, which returns here.
socket.on("disconnect", (reason) => {
  if (reason === "io server disconnect") socket.connect();
});
// Once: the socket's refusal and a ``revoked`` event may both say so, and a second
// navigation would abort the first.
let leaving = false;
function goToLogin() {
  if (leaving) return;
  leaving = true;
  socket.disconnect();
  location.href = `/login?next=${encodeURIComponent(location.pathname)}`;
}
socket.on("connect_error", (error) => {
  if (error.data && error.data.code === "not_authenticated") goToLogin();
});

function showStatus(s) {
  const el = document.getElementById("connection");
  const online = s.connected && s.joined;
  el.dataset.state = online ? "online" : s.connected ? "connecting" : "offline";
  el.textContent = online ? "online" : s.connected ? "joining…" : "offline";
  const banner = document.getElementById("offline-banner");
  banner.hidden = s.connected;
  document.getElementById("queued-count").textContent = String(collab.unconfirmed.length);
  if (s.error && (s.error.code === "forbidden" || s.error.code === "not_found")) noAccess("");
  else if (s.error) say(`Cannot open this score: ${s.error.message}`);
  else if (online) {
    initPanels();
    sayRole();
  }
  if (online && comments) comments.draw();
}

function sayRole() {
  if (collab.role === "viewer") say("You can view this score but not edit it");
  else if (collab.role === "commenter") say("You can comment on this score but not edit it");
}

// Not (or no longer) a member: stop the socket and offer to request access, instead of
// an editor stuck on "joining…". An approval reloads the page into the score.
let locked = false;
function noAccess(reason) {
  if (locked) return;
  locked = true;
  socket.disconnect();
  showNoAccess({ scoreId, reason, onGranted: () => location.reload() });
}
// ``revoked`` also comes before the server cuts a revoked session's socket: ask whether
// we are still logged in (then we lost the score: the card) or not (then log in again).
socket.on("revoked", async (message) => {
  if (message.score !== scoreId) return;
  try {
    if ((await api(`/api/scores/${encodeURIComponent(scoreId)}/access`)).role) return;
  } catch (e) {
    if (e.status === 401) return goToLogin();
  }
  noAccess(message.reason || "your access was removed");
});
socket.on("role_changed", (message) => {
  if (message.score !== scoreId) return;
  collab.role = message.role;
  say(`Your role is now ${message.role}`);
  sayRole();
});
document.getElementById("share-button").addEventListener("click", () => {
  openShareDialog(scoreId, {
    me: window.tutti.user,
    title: (collab.doc && collab.doc.title) || "",
    onLeft: () => (location.href = "/"),
  });
});

// The browser knows first when the network goes: drop the socket at once and
// come back when it returns, instead of waiting for a heartbeat to time out.
// Broadcasts are not lost on a live connection, but a cheap periodic catch-up bounds
// how long a page could miss one (e.g. behind a proxy that dropped a frame).
setInterval(() => collab.catchUp(), 20000);
window.addEventListener("offline", () => socket.disconnect());
window.addEventListener("online", () => socket.connect());

function sendSelection() {
  if (socket.connected) socket.emit("select", { score: scoreId, selection: state.selection.slice(0, 1000) });
}

function select(idsToSelect, { note = null } = {}) {
  state.selection = idsToSelect;
  state.note = note;
  state.anchor = idsToSelect[0] || null;
  drawSelection();
  sendSelection();
  announceSelection();
}

// --- screen-reader announcements (ARIA live region, from the model) ----------------------------

function announce(text) {
  const region = document.getElementById("announcer");
  // Re-setting the same words would not be read again: clear first, then speak.
  region.textContent = "";
  setTimeout(() => (region.textContent = text), 30);
}

function announceSelection() {
  if (!index) return;
  const events = state.selection.filter((id) => index.events.has(id));
  if (events.length === 1) announce(describeEvent(index, events[0], state.note));
  else if (events.length > 1) announce(`${events.length} notes and rests selected, from ${describeEvent(index, events[0])}`);
}

function whereAmI() {
  const first = state.selection.find((id) => index.events.has(id));
  const mode = state.inputMode ? "note input" : "normal mode";
  const title = collab.doc ? collab.doc.title || "Untitled" : "";
  announce(first ? `${describeEvent(index, first, state.note)}. ${mode}, ${title}` : `Nothing selected. ${mode}, ${title}`);
}

// Others' edits are announced with their names (ours are, through the new selection).
socket.on("edit", (wire) => {
  if (!wire || wire.client_id === clientId || !Array.isArray(wire.ops)) return;
  setTimeout(() => index && announce(describeChange(index, wire.ops, wire.author && wire.author.name)), 0);
});

// --- performing commands ----------------------------------------------------------------------

/** Submit a command's ops as one edit of ours (undoable); update selection/cursor. */
function perform(result, { undoable = true } = {}) {
  if (!result || !result.ops || !result.ops.length) return null;
  const edit = collab.submit(result.ops);
  if (!edit) return null;
  if (undoable) undoHistory.recorded(edit);
  if (result.cursor) state.cursor = result.cursor;
  requestAnimationFrame(drawCursor);
  if (result.select) select(result.select, { note: result.note || null });
  else drawSelection();
  return edit;
}

function undo() {
  return undoHistory.undo().then(say);
}

function redo() {
  return undoHistory.redo().then(say);
}

function setInputMode(on) {
  state.inputMode = on;
  if (on) state.cursor = cmd.cursorFromSelection(index, state);
  document.body.classList.toggle("note-input", on);
  document.querySelector('[data-cmd="note-input"]').classList.toggle("active", on);
  say(describeMode());
  drawCursor();
}

// --- the input cursor: a bar before where the next note goes, over its staff -----------------

const caret = document.createElement("div");
caret.id = "input-cursor";
caret.className = "input-cursor";
caret.hidden = true;
caret.setAttribute("aria-hidden", "true");
area.appendChild(caret);

/** The event the next note replaces: at the cursor, or the next bar's first at a bar end. */
function eventAtCursor() {
  const c = state.cursor;
  let mi = c && index.measureIndex.get(c.measure);
  if (mi === undefined) return null;
  const part = index.doc.parts.find((p) => p.id === c.part);
  for (let offsetAt = c.offset; mi < index.doc.measures.length; mi++, offsetAt = null) {
    const events = (part.bars[index.doc.measures[mi].id].voices[c.voice] || []);
    for (const e of events) {
      const info = index.events.get(e.id);
      if (offsetAt === null || info.offset.ge(offsetAt)) return { event: e, info };
    }
  }
  return null;
}

function drawCursor() {
  const found = state.inputMode && state.cursor && index && eventAtCursor();
  const el = found && (document.getElementById(found.event.id) ||
    (found.event.notes[0] && document.getElementById(found.event.notes[0].id)));
  const measure = el && el.closest("g.measure");
  const staff = measure && measure.querySelectorAll(":scope > g.staff")[found.info.partIndex];
  const lines = staff ? [...staff.children].filter((x) => x.tagName === "path").slice(0, 5) : [];
  if (lines.length < 5) {
    caret.hidden = true;
    return;
  }
  const box = area.getBoundingClientRect();
  const top = lines[0].getBoundingClientRect().top;
  const bottom = lines[4].getBoundingClientRect().bottom;
  const spacing = (bottom - top) / 4;
  Object.assign(caret.style, {
    left: `${el.getBoundingClientRect().left - box.left + area.scrollLeft - 4}px`,
    top: `${top - box.top + area.scrollTop - spacing}px`,
    height: `${bottom - top + 2 * spacing}px`,
  });
  caret.hidden = false;
}
scoreEl.addEventListener("rendered", () => drawCursor());

function moveSelection(step, extend) {
  const current = state.selection[extend ? state.selection.length - 1 : 0];
  if (!current) return;
  const next = neighbour(index, current, step);
  if (!next) return;
  if (extend) {
    const anchor = state.anchor || current;
    select(eventRange(index, anchor, next));
    state.anchor = anchor; // the range grows from where it started, either way
  } else {
    select([next]);
    if (state.inputMode) state.cursor = cmd.cursorFromSelection(index, state);
  }
}

// --- text entry for lyrics and chord symbols ------------------------------------------------------

const entry = document.getElementById("text-entry");
let entryTarget = null;

function openEntry(mode) {
  const eventId = state.selection.find((id) => index.events.has(id));
  if (!eventId) return say("Select a note first");
  if (mode === "lyric" && !index.events.get(eventId).event.notes.length) return say("Lyrics go on notes");
  entryTarget = { mode, eventId };
  const info = index.events.get(eventId);
  entry.value = mode === "lyric" ? (info.event.lyrics && info.event.lyrics["1"]) || "" : "";
  const svgId = info.event.notes.length === 1 ? info.event.notes[0].id : eventId;
  const el = document.querySelector(cssId(svgId));
  const box = el ? el.getBoundingClientRect() : area.getBoundingClientRect();
  entry.style.left = `${box.left + window.scrollX}px`;
  entry.style.top = `${box.top + window.scrollY + (mode === "lyric" ? 60 : -40)}px`;
  entry.placeholder = mode === "lyric" ? "lyric" : "chord symbol";
  entry.dataset.mode = mode;
  entry.hidden = false;
  entry.focus();
  entry.select();
}

function commitEntry(advance) {
  if (!entryTarget) return;
  const { mode, eventId } = entryTarget;
  const text = entry.value.trim();
  const info = index.events.get(eventId);
  const current = info && info.event.lyrics ? info.event.lyrics["1"] || "" : "";
  if (mode === "lyric" && text !== current) perform(cmd.setLyric(index, eventId, text));
  else if (text) perform(cmd.setChordSymbol(index, eventId, ids, text));
  const next = advance
    ? mode === "lyric"
      ? cmd.nextNoteEvent(index, eventId)
      : neighbour(index, eventId, 1)
    : null;
  if (next) {
    select([next]);
    openEntry(mode);
  } else closeEntry();
}

function closeEntry() {
  entry.hidden = true;
  entryTarget = null;
  area.focus();
}

entry.addEventListener("keydown", (event) => {
  event.stopPropagation();
  if (event.key === "Escape") return commitEntry(false); // as in MuseScore, Esc keeps the text
  const lyric = entryTarget && entryTarget.mode === "lyric";
  if (event.key === "Enter") {
    event.preventDefault();
    commitEntry(lyric);
  } else if (event.key === "Tab" || (lyric && event.key === " ")) {
    event.preventDefault();
    commitEntry(true);
  } else if (lyric && event.key === "-") {
    // As in MuseScore: a hyphen ends the syllable and moves to the next note.
    event.preventDefault();
    entry.value = `${entry.value.replace(/-+$/, "")}-`;
    commitEntry(true);
  }
});

// --- actions -----------------------------------------------------------------------------------------

const clefOptions = ["treble", "bass", "alto", "tenor", "treble8vb", "percussion"].map((c) => [c, c]);
const INTERVALS = {
  "up-m2": [1, 1], "up-M2": [1, 2], "up-m3": [2, 3], "up-M3": [2, 4], "up-P4": [3, 5],
  "up-P5": [4, 7], "up-P8": [7, 12], "down-m2": [-1, -1], "down-M2": [-1, -2],
  "down-m3": [-2, -3], "down-M3": [-2, -4], "down-P4": [-3, -5], "down-P5": [-4, -7],
  "down-P8": [-7, -12],
};

async function run(action, arg) {
  if (!index) return;
  switch (action) {
    case "note-input":
      return setInputMode(!state.inputMode);
    case "letter":
      if (state.inputMode) return perform(cmd.writeAtCursor(index, state, ids, arg));
      return letterOnSelection(arg);
    case "chord-add":
      return perform(cmd.addToChord(index, state, ids, arg));
    case "rest":
      if (state.inputMode) return perform(cmd.writeAtCursor(index, state, ids, null));
      return perform(cmd.deleteSelection(index, state));
    case "duration":
      state.dur = { type: arg };
      if (!state.inputMode) perform(cmd.setDuration(index, state, { type: arg }));
      return say(describeMode());
    case "dot":
      if (state.inputMode) {
        state.dur = state.dur.dots ? { type: state.dur.type } : { type: state.dur.type, dots: 1 };
        return say(describeMode());
      } else {
        const first = index.events.get(state.selection[0]);
        if (!first) return;
        const d = first.event.dur;
        return perform(cmd.setDuration(index, state, d.dots ? { type: d.type } : { type: d.type, dots: 1 }));
      }
    case "pitch":
      return perform(cmd.movePitch(index, state, arg));
    case "octave":
      return perform(cmd.movePitch(index, state, arg, { octave: true }));
    case "alter":
      return perform(cmd.alterPitch(index, state, arg));
    case "tie":
      return perform(state.inputMode ? cmd.tieAtCursor(index, state, ids) : cmd.toggleTie(index, state));
    case "delete":
      return perform(cmd.deleteSelection(index, state));
    case "move":
      return moveSelection(arg, false);
    case "extend":
      return moveSelection(arg, true);
    case "copy":
      state.clipboard = cmd.copySelection(index, state);
      return say(`Copied ${state.clipboard.length} event(s)`);
    case "paste":
      return perform(cmd.paste(index, state, ids, state.clipboard));
    case "undo":
      return undo();
    case "redo":
      return redo();
    case "lyric":
      return openEntry("lyric");
    case "chord":
      return openEntry("chord");
    case "append-measure":
      return perform(cmd.appendMeasures(index, ids, 1));
    case "insert-measure":
      return perform(cmd.insertMeasures(index, state, ids, { after: false }));
    case "remove-measures":
      return perform(cmd.removeMeasures(index, state));
    case "remove-part":
      return perform(cmd.removePart(index, state));
    case "add-part": {
      const v = await ask("Add a part", [
        { name: "name", label: "Name", value: `Part ${index.doc.parts.length + 1}` },
        { name: "clef", label: "Clef", options: clefOptions },
      ]);
      return v && perform(cmd.addPart(index, ids, v));
    }
    case "title": {
      const v = await ask("Score", [
        { name: "title", label: "Title", value: index.doc.title },
        { name: "composer", label: "Composer", value: index.doc.composer || "" },
      ]);
      return v && perform({ ops: [{ op: "set_meta", title: v.title, composer: v.composer }] });
    }
    case "key": {
      const at = cmd.currentMeasureIndex(index, state);
      const current = effectiveAttr(index.doc, at ?? 0, "key");
      const v = await ask("Key signature", [{ name: "key", label: "Key", options: keyOptions(), value: current }]);
      return v && perform(cmd.setMeasureAttr(index, state, "key", Number(v.key)));
    }
    case "time": {
      const v = await ask("Time signature", [
        { name: "beats", label: "Beats", type: "number", value: 4 },
        { name: "unit", label: "Beat unit", options: [1, 2, 4, 8, 16].map((x) => [x, x]) },
      ]);
      return v && perform(cmd.setMeasureAttr(index, state, "time", [Number(v.beats), Number(v.unit)]));
    }
    case "tempo": {
      const v = await ask("Tempo", [{ name: "tempo", label: "Quarter notes per minute", type: "number", value: 120 }]);
      return v && perform(cmd.setMeasureAttr(index, state, "tempo", Number(v.tempo)));
    }
    case "clef": {
      const first = index.events.get(state.selection[0]);
      if (!first) return say("Select a note or rest first");
      const v = await ask("Clef", [{ name: "clef", label: "Clef", options: clefOptions }]);
      return v && perform({ ops: [{ op: "set_clef", part: first.part, measure: first.measure, clef: v.clef }] });
    }
    case "export":
      return exportScore();
    case "transpose": {
      const v = await ask("Transpose (selection, or the whole score)", [
        { name: "interval", label: "Interval", options: Object.keys(INTERVALS).map((k) => [k, k]) },
      ]);
      return v && perform(cmd.transposeBy(index, state, ...INTERVALS[v.interval]));
    }
    case "voice-set":
      if (!state.cursor) state.cursor = cmd.cursorFromSelection(index, state);
      state.cursor = { ...state.cursor, voice: String(arg) };
      return say(`${describeMode()} — voice ${arg}`);
    case "voice": {
      const v = await ask("Voice for note input", [{ name: "voice", label: "Voice", options: [1, 2, 3, 4].map((x) => [x, x]) }]);
      if (v && state.cursor) state.cursor = { ...state.cursor, voice: v.voice };
      return;
    }
    case "dynamic":
      return perform(cmd.setDynamic(index, state, ids, arg === "none" ? null : arg));
    case "spanner":
      return perform(cmd.addSpanner(index, state, ids, arg));
    case "repeat-start":
      return perform(cmd.setForm(index, state, "repeat_start", true));
    case "repeat-end": {
      const v = await ask("End repeat", [{ name: "times", label: "Times played", type: "number", value: 2 }]);
      return v && perform(cmd.setForm(index, state, "repeat_end", Number(v.times)));
    }
    case "rehearsal": {
      const v = await ask("Rehearsal mark", [{ name: "text", label: "Mark (empty: none)", value: "A" }]);
      return v && perform(cmd.setForm(index, state, "rehearsal", v.text.trim() || null));
    }
    case "segno":
    case "coda":
    case "fine":
    case "to_coda":
      return perform(cmd.setForm(index, state, action, true));
    case "dc":
    case "dc_al_fine":
    case "dc_al_coda":
    case "ds":
    case "ds_al_fine":
    case "ds_al_coda":
      return perform(cmd.setForm(index, state, "jump", action));
    case "ending-1":
      return perform(cmd.setForm(index, state, "ending", [1]));
    case "ending-2":
      return perform(cmd.setForm(index, state, "ending", [2]));
    case "barline-double":
    case "barline-final":
    case "barline-dashed":
      return perform(cmd.setForm(index, state, "barline", action.slice(8)));
    case "mark": {
      // "tremolo2" from the Marks menu: a tremolo of two strokes.
      const tremolo = /^tremolo([1-4])$/.exec(arg);
      return perform(tremolo ? cmd.toggleMark(index, state, "tremolo", Number(tremolo[1])) : cmd.toggleMark(index, state, arg));
    }
    case "where-am-i":
      return whereAmI();
    case "select-all":
      return select([...index.events.keys()]);
    case "select-part": {
      const first = index.events.get(state.selection.find((id) => index.events.has(id)));
      if (!first) return say("Select a note or rest of the part first");
      return select([...index.events].filter(([, info]) => info.part === first.part).map(([id]) => id));
    }
    case "help":
      return toggleHelp();
    case "escape":
      if (!document.getElementById("help").hidden) return toggleHelp();
      if (state.inputMode) return setInputMode(false);
      return select([]);
    case "play":
      return togglePlay();
    case "sharpen":
      return run("alter", 1);
    case "flatten":
      return run("alter", -1);
    default:
      return null;
  }
}

function letterOnSelection(step) {
  const first = state.selection.find((id) => index.events.has(id));
  if (!first) return say("Select a note or press N for note input");
  const info = index.events.get(first);
  if (!info.event.notes.length) {
    // A letter on a rest writes a note of the rest's length there (and enters note input).
    state.dur = { ...info.event.dur };
    delete state.dur.tuplet;
    setInputMode(true);
    return perform(cmd.writeAtCursor(index, state, ids, step));
  }
  const target = state.note
    ? info.event.notes.find((n) => n.id === state.note)
    : info.event.notes[info.event.notes.length - 1];
  // The new letter lands in the octave nearest the note it replaces.
  const at = { ...state, cursor: cmd.cursorFromSelection(index, state), dur: info.event.dur };
  const result = cmd.writeAtCursor(index, at, { next: () => "x" }, step, { near: midiOf(target) });
  const pitch = result.ops[result.ops.length - 1].event.notes[0];
  return perform({ ops: [{ op: "set_pitch", note: target.id, step: pitch.step, alter: pitch.alter, octave: pitch.octave }] });
}

/** The export dialog: score, a part or the selected measures, as PDF or MEI (engraved
 * here), or the whole score as MusicXML or MIDI (from the server). */
async function exportScore() {
  const doc = collab.doc;
  const measures = state.selection
    .map((id) => index.events.get(id))
    .filter(Boolean)
    .map((info) => info.measureIndex);
  const range = measures.length ? [Math.min(...measures), Math.max(...measures) + 1] : null;
  const v = await ask("Export or print", [
    {
      name: "what",
      label: "What",
      options: [["score", "Full score"], ...doc.parts.map((p) => [`part:${p.id}`, `Part: ${p.name}`])],
    },
    {
      name: "measures",
      label: "Measures",
      options: [["all", "All"], ...(range ? [["selection", `Selected: m. ${range[0] + 1}–${range[1]}`]] : [])],
    },
    {
      name: "format",
      label: "Format",
      options: [["pdf", "PDF (print)"], ["mei", "MEI"], ["musicxml", "MusicXML (full score)"], ["midi", "MIDI (full score)"]],
    },
  ]);
  if (!v) return;
  const parts = v.what === "score" ? null : [v.what.slice(5)];
  const [start, end] = v.measures === "selection" && range ? range : [0, doc.measures.length];
  if (v.format === "musicxml" || v.format === "midi") {
    if (parts || v.measures === "selection") return say("MusicXML and MIDI export the full score; choose PDF or MEI for a part or a selection");
    window.location.assign(`/api/scores/${encodeURIComponent(scoreId)}/export?format=${v.format}`);
    return;
  }
  const choice = print.printable(doc, { parts, start, end });
  const stem = print.fileStem(choice.name);
  const mei = print.printMei(choice);
  if (v.format === "mei") return print.download(new Blob([mei], { type: "application/mei+xml" }), `${stem}.mei`);
  say("Engraving pages for the PDF…");
  try {
    const pages = await print.engravePages(mei);
    print.download(await print.pdfOf(pages), `${stem}.pdf`);
    say(`PDF ready: ${pages.length} page${pages.length === 1 ? "" : "s"}`);
  } catch (error) {
    say(`The PDF could not be made: ${error.message}`);
  }
}

function toggleHelp() {
  const help = document.getElementById("help");
  help.hidden = !help.hidden;
}

// --- playback --------------------------------------------------------------------------------

const player = new Player({
  onMarker: (eventIds) => {
    const sel = expand(eventIds).map(cssId).join(",");
    playingStyle.textContent = sel ? `${sel} { fill: var(--playing); }` : "";
    window.tutti.playback.marker = eventIds;
    if (eventIds.length) window.tutti.playback.markerMoves += 1;
  },
  onState: (s) => {
    Object.assign(window.tutti.playback, s);
    document.getElementById("play-button").textContent = s.playing ? "■" : "▶";
  },
});

/** The per-part mixer settings (volume dB, mute, solo), kept in this page. */
const mix = {};

function playOptions() {
  const checked = (id) => document.getElementById(id).checked;
  const selected = state.selection.filter((id) => index.events.has(id));
  const loop = checked("play-loop") && selected.length > 0;
  return {
    fromEvent: selected[0] || null,
    toEvent: loop ? selected[selected.length - 1] : null,
    loop,
    tempoOverride: Number(document.getElementById("playback-tempo").value) || null,
    metronome: checked("play-metronome"),
    countIn: checked("play-count-in") ? 1 : 0,
    chords: checked("play-chords"),
    mix,
  };
}

async function togglePlay() {
  if (player.playing) return player.stop();
  await player.play(index.doc, playOptions());
}

/** A tempo or mixer change while playing: go on from the note sounding now. */
async function replay() {
  if (!player.playing) return;
  const sounding = [...(player.sounding || new Map()).keys()][0];
  const options = playOptions();
  await player.play(index.doc, { ...options, fromEvent: sounding || options.fromEvent, countIn: 0 });
}

document.getElementById("playback-tempo").addEventListener("change", replay);

function buildMixer() {
  const panel = document.getElementById("mixer");
  panel.replaceChildren();
  index.doc.parts.forEach((part, i) => {
    const row = document.createElement("div");
    row.className = "mixer-row";
    const name = document.createElement("span");
    name.textContent = part.name || `Part ${i + 1}`;
    const volume = document.createElement("input");
    Object.assign(volume, { type: "range", min: "-30", max: "6", step: "1", value: String(mix[i]?.volume ?? 0) });
    volume.setAttribute("aria-label", `${name.textContent} volume`);
    const toggle = (label, key) => {
      const box = document.createElement("input");
      box.type = "checkbox";
      box.checked = !!mix[i]?.[key];
      box.dataset.part = String(i);
      box.dataset.mix = key;
      const wrap = document.createElement("label");
      wrap.append(box, ` ${label}`);
      box.addEventListener("change", () => ((mix[i] = { ...mix[i], [key]: box.checked }), replay()));
      return wrap;
    };
    volume.addEventListener("change", () => ((mix[i] = { ...mix[i], volume: Number(volume.value) }), replay()));
    row.append(name, volume, toggle("mute", "mute"), toggle("solo", "solo"));
    panel.appendChild(row);
  });
}

document.getElementById("mixer-toggle").addEventListener("click", () => {
  const panel = document.getElementById("mixer");
  panel.hidden = !panel.hidden;
  if (!panel.hidden) buildMixer();
});

// --- input wiring ---------------------------------------------------------------------------------

document.addEventListener("keydown", (event) => {
  const t = event.target;
  const typing = t instanceof HTMLInputElement || t instanceof HTMLTextAreaElement || t instanceof HTMLSelectElement;
  if (typing || document.getElementById("dialog").open) return;
  const action = actionFor(event);
  if (!action) return;
  event.preventDefault();
  run(...action);
});

const PICKABLE = "g.note, g.rest, g.mRest, g.chord, g.harm, g.dynam, g.slur, g.hairpin, g.octave, g.pedal";

/** The element under the pointer, or the nearest one within a few pixels (stems, gaps). */
function pick(event) {
  const direct = event.target.closest(PICKABLE);
  if (direct) return direct;
  const slice = event.target.closest(".slice");
  if (!slice) return null;
  let best = null;
  let bestDistance = 14;
  for (const el of slice.querySelectorAll("g.note, g.rest, g.mRest, g.harm, g.dynam")) {
    const r = el.getBoundingClientRect();
    const dx = Math.max(r.left - event.clientX, 0, event.clientX - r.right);
    const dy = Math.max(r.top - event.clientY, 0, event.clientY - r.bottom);
    const distance = Math.hypot(dx, dy);
    if (distance < bestDistance) [best, bestDistance] = [el, distance];
  }
  return best;
}

/** The engraved staff under the pointer (within three line spacings of it): its element,
 * measure id, part, and top/bottom line in screen coordinates; or null. */
function staffUnder(event) {
  const slice = event.target.closest(".slice");
  if (!slice) return null;
  for (const staff of slice.querySelectorAll("g.staff")) {
    const lines = [...staff.children].filter((el) => el.tagName === "path").slice(0, 5);
    if (lines.length < 5) continue;
    const top = lines[0].getBoundingClientRect();
    const bottom = lines[4].getBoundingClientRect();
    const topY = top.top + top.height / 2;
    const bottomY = bottom.top + bottom.height / 2;
    const reach = (bottomY - topY) * 0.75; // three spacings of ledger room
    if (event.clientX < top.left || event.clientX > top.right) continue;
    if (event.clientY < topY - reach || event.clientY > bottomY + reach) continue;
    const measure = staff.closest("g.measure");
    const part = [...measure.querySelectorAll(":scope > g.staff")].indexOf(staff);
    return { staff, measure: measure.id, part, topY, bottomY };
  }
  return null;
}

/** Note input by mouse: the clicked line or space, at the event under the pointer. */
function placeByMouse(event) {
  const at = staffUnder(event);
  const mi = at && index.measureIndex.get(at.measure);
  const part = at && index.doc.parts[at.part];
  if (!at || mi === undefined || !part) return false;
  const voice = (state.cursor && state.cursor.part === part.id && state.cursor.voice) || "1";
  const events = part.bars[at.measure].voices[voice] || [];
  const boxes = events
    .map((e) => ({ eventId: e.id, el: document.getElementById(e.id) || (e.notes[0] && document.getElementById(e.notes[0].id)) }))
    .filter((b) => b.el)
    .map((b) => ({ eventId: b.eventId, left: b.el.getBoundingClientRect().left }));
  const eventId = eventAtX(boxes, event.clientX);
  const info = eventId && index.events.get(eventId);
  if (!info) return false;
  const key = effectiveAttr(index.doc, mi, "key");
  const pitch = pitchAtStaffStep(clefIn(index.doc, part, mi), staffStep(event.clientY, at.topY, at.bottomY), key);
  state.cursor = { part: part.id, measure: at.measure, voice, offset: info.offset };
  perform(cmd.writeAtCursor(index, state, ids, null, { midis: [midiOf(pitch)] }));
  return true;
}

// Dragging a note up or down moves it by staff positions (key signature applied), as in
// MuseScore; a drag is at least half a line spacing, else it stays a click.
let drag = null;
let swallowClick = false;
let box = null; // a selection rectangle being dragged over empty space
scoreEl.addEventListener("pointerdown", (event) => {
  const hit = event.target.closest("g.note");
  const at = hit && index && index.notes.has(hit.id) && staffUnder(event);
  drag = at ? { noteId: hit.id, y: event.clientY, at } : null;
  box = !hit && index && !pick(event) ? { x: event.clientX, y: event.clientY, el: null } : null;
});
scoreEl.addEventListener("pointermove", (event) => {
  if (!box || (!box.el && Math.hypot(event.clientX - box.x, event.clientY - box.y) < 6)) return;
  if (!box.el) {
    box.el = document.createElement("div");
    box.el.className = "select-box";
    document.body.appendChild(box.el);
  }
  const [left, top] = [Math.min(box.x, event.clientX), Math.min(box.y, event.clientY)];
  Object.assign(box.el.style, {
    left: `${left}px`, top: `${top}px`,
    width: `${Math.abs(event.clientX - box.x)}px`, height: `${Math.abs(event.clientY - box.y)}px`,
  });
});

/** Every event whose engraving meets the rectangle (screen coordinates), in score order. */
function eventsInBox(rect) {
  const out = [];
  for (const [eventId, info] of index.events) {
    const el = document.getElementById(eventId) || (info.event.notes[0] && document.getElementById(info.event.notes[0].id));
    if (!el) continue;
    const r = el.getBoundingClientRect();
    if (r.right >= rect.left && r.left <= rect.right && r.bottom >= rect.top && r.top <= rect.bottom) out.push(eventId);
  }
  return out;
}
scoreEl.addEventListener("pointerup", (event) => {
  if (box && box.el) {
    const rect = box.el.getBoundingClientRect();
    box.el.remove();
    box = null;
    swallowClick = true;
    const found = eventsInBox(rect);
    select(event.shiftKey ? [...new Set([...state.selection, ...found])] : found);
    return;
  }
  box = null;
  const started = drag;
  drag = null;
  if (!started) return;
  const steps = staffStep(started.at.bottomY + (event.clientY - started.y), started.at.topY, started.at.bottomY);
  if (steps === 0) return;
  const info = index.events.get(index.notes.get(started.noteId));
  const note = info && info.event.notes.find((n) => n.id === started.noteId);
  if (!note) return;
  const key = effectiveAttr(index.doc, info.measureIndex, "key");
  const diatonic = note.octave * 7 + "CDEFGAB".indexOf(note.step) + steps;
  const step = "CDEFGAB"[((diatonic % 7) + 7) % 7];
  const pitch = { step, alter: keyAlterOf(key, step), octave: Math.floor(diatonic / 7) };
  swallowClick = true;
  perform({ ops: [{ op: "set_pitch", note: note.id, ...pitch }], select: [info.event.id] });
});

scoreEl.addEventListener("click", (event) => {
  area.focus();
  if (swallowClick) {
    swallowClick = false;
    return;
  }
  const hit = pick(event);
  // In note input, a click on a staff (not on a note: that selects it) writes a note there.
  const hitEvent = hit && index && index.events.get(eventIdOf(index, hit.id) || hit.id);
  const onNote = hitEvent && hitEvent.event.notes.length > 0;
  if (state.inputMode && index && !onNote && !event.shiftKey && placeByMouse(event)) return;
  if (!hit || !index) {
    const at = index && staffUnder(event);
    const part = at && index.doc.parts[at.part];
    if (part && index.measureIndex.has(at.measure)) {
      // An empty spot of a bar selects the whole bar of that part; Shift adds bars.
      const bar = part.bars[at.measure];
      const ids = Object.values(bar.voices).flat().map((e) => e.id);
      return select(event.shiftKey ? [...new Set([...state.selection, ...ids])] : ids);
    }
    if (!event.shiftKey) select([]);
    return;
  }
  let id = hit.id;
  let note = null;
  if (index.notes.has(id)) {
    const eventId = index.notes.get(id);
    if (index.events.get(eventId).event.notes.length > 1) note = id;
    id = eventId;
  }
  id = eventIdOf(index, id) || id;
  if (event.shiftKey && state.anchor && index.events.has(id)) {
    const anchor = state.anchor;
    select(eventRange(index, anchor, id));
    state.anchor = anchor;
  } else if (event.ctrlKey || event.metaKey) {
    select(state.selection.includes(id) ? state.selection.filter((x) => x !== id) : [...state.selection, id]);
  } else {
    select([id], { note });
  }
  if (state.inputMode) state.cursor = cmd.cursorFromSelection(index, state);
  drawCursor();
});

for (const button of document.querySelectorAll("[data-cmd]")) {
  button.addEventListener("click", () => {
    const c = button.dataset.cmd;
    if (c === "dur") run("duration", Number(button.dataset.type));
    else if (c === "mark") run("mark", button.dataset.mark);
    else if (c === "spanner") run("spanner", button.dataset.kind);
    else if (c === "rest" || c === "tie" || c === "dot" || c === "delete") run(c);
    else run(c);
    area.focus();
  });
}
for (const menu of document.querySelectorAll("[data-menu]")) {
  menu.addEventListener("change", async () => {
    const value = menu.value;
    menu.value = "";
    if (!value) return;
    if (menu.dataset.menu === "dynamic") await run("dynamic", value);
    else if (menu.dataset.menu === "mark") await run("mark", value);
    else if (menu.dataset.menu === "spanner") await run("spanner", value);
    else await run(value);
    area.focus();
  });
}
fillHelp(document.getElementById("help-table"));

// --- pitch entry from a MIDI keyboard and the on-screen piano -------------------------------

let chordEvent = null; // the event the held keys are building

/** A key played: a new note at the cursor (entering note input), or, while another key is
 * still held, one more note of the chord just written. */
function playedNote(midi, joinsChord) {
  if (!index) return;
  if (joinsChord && chordEvent && index.events.has(chordEvent)) {
    return perform(cmd.addPitchToChord(index, chordEvent, ids, midi));
  }
  if (!state.inputMode) setInputMode(true);
  const edit = perform(cmd.writeAtCursor(index, state, ids, null, { midis: [midi] }));
  chordEvent = edit ? state.selection[0] : null;
}

listenToMidi(navigator.requestMIDIAccess?.bind(navigator), playedNote).then((text) => {
  document.getElementById("midi-status").textContent = text;
});
buildPiano(document.getElementById("piano"), playedNote);
document.getElementById("piano-toggle").addEventListener("click", () => {
  const piano = document.getElementById("piano-panel");
  piano.hidden = !piano.hidden;
});

let resizeTimer = null;
window.addEventListener("resize", () => {
  clearTimeout(resizeTimer);
  resizeTimer = setTimeout(() => collab.doc && engraver.render(collab.doc), 200);
});

// --- test & benchmark hooks ----------------------------------------------------------------------

window.tutti = {
  get doc() {
    return collab.doc;
  },
  get version() {
    return collab.version;
  },
  get unconfirmed() {
    return collab.unconfirmed.length;
  },
  get index() {
    return index;
  },
  state,
  collab,
  undoHistory,
  engraver,
  socket,
  clientId,
  ready: firstRender,
  run,
  perform,
  select,
  playback: { playing: false, position: 0, marker: [], markerMoves: 0 },
  player,
  peers: () => presence.peers,
  /** Edit-to-pixels: apply ``ops`` locally and resolve when the page shows them (ms). */
  async timedEdit(ops) {
    const started = performance.now();
    collab.submit(ops);
    await engraver.busy;
    return performance.now() - started;
  },
  async fullRender() {
    return engraver.renderFull(collab.doc);
  },
  frac,
  api,
  get locked() {
    return locked;
  },
};
// The panels ask the server about the score: set them up once we are in (a non-member
// gets the no-access card instead, with no failing requests behind it).
let panelsReady = false;
function initPanels() {
  if (panelsReady) return;
  panelsReady = true;
  // Voicing helper panel (helper hook): reads the document and selection, never edits directly.
  const helperPanel = document.getElementById("helper-panel");
  if (helperPanel) {
    window.tutti.helper = initHelper({
      container: helperPanel,
      scoreId,
      socket,
      getDoc: () => collab.doc,
      getSelection: () => state.selection,
    });
  }
  // History panel (history hook): reads the document and selection; reverts arrive as edits.
  window.tutti.history = initHistory({
    container: document.getElementById("history-panel"),
    view: document.getElementById("history-view"),
    scoreArea: area,
    scoreId,
    socket,
    getDoc: () => collab.doc,
    getHead: () => collab.version,
    getSelection: () => state.note || state.selection[0] || null,
  });
  // Comments panel and markers: reads the document and selection, selects a thread's anchor.
  comments = initComments({
    container: document.getElementById("comments-panel"),
    scoreArea: area,
    scoreEl,
    scoreId,
    socket,
    getDoc: () => collab.doc,
    getIndex: () => index,
    getSelection: () => ({ selection: state.selection, note: state.note }),
    getRole: () => collab.role,
    getUser: () => window.tutti.user || null,
    select: (idsToSelect, options) => select(idsToSelect, options),
    say,
  });
  window.tutti.comments = comments;
  // Who wrote what: the provenance summary, refreshed while its panel is open.
  provenance = initProvenance({ scoreId, api });
  window.tutti.provenance = provenance;
}
say(describeMode());
currentUser().then((user) => {
  window.tutti.user = user;
  if (comments) comments.draw();
});
