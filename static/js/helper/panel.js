// The voicing helper panel: the person's opt-in (and the owner's switch for the score),
// the request form, the suggestions with who asked, browsing the alternatives with their
// reasons and a preview, tweaking, accept / reject / revert, and the helper tint.
// Talks to the HTTP API only; the accepted edit arrives through the normal collab pipeline.

import { api } from "../app/api.js";
import { HELPER_COLOURS, Preview, cssId } from "./preview.js";

const REASONS = {
  helper_disabled: "The score's owner has switched the helper off for this score.",
  helper_not_enabled_for_user: "The helper is off for you. Turn it on above to ask for voicings.",
};
const VOICES = { satb: ["soprano", "alto", "tenor", "bass"], piano: ["part"], guitar: ["part"] };
const TARGET_NAMES = { satb: "SATB (four parts)", piano: "Piano chords (one part)", guitar: "Guitar chords (one part)" };

function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (key === "dataset") Object.assign(node.dataset, value);
    else if (key in node) node[key] = value;
    else node.setAttribute(key, value);
  }
  for (const child of children) node.append(child);
  return node;
}

const MIDI_NAMES = ["C", "C♯", "D", "E♭", "E", "F", "F♯", "G", "A♭", "A", "B♭", "B"];
const midiName = (m) => `${MIDI_NAMES[m % 12]}${Math.floor(m / 12) - 1}`;

/** Mount the panel in ``container``; returns a handle (also used by the browser tests). */
export function initHelper({ container, scoreId, socket, getDoc, getSelection }) {
  const body = container.querySelector(".helper-body") || container.appendChild(el("div", { className: "helper-body" }));
  const summaryState = container.querySelector(".helper-state");
  const state = { status: null, suggestions: [], current: null, alt: 0, tweaks: [], helperNotes: {}, busy: false };
  const tint = document.head.appendChild(el("style", { id: "helper-tint-style" }));

  // --- layout -----------------------------------------------------------------------------
  const optIn = el("input", { type: "checkbox", id: "helper-opt-in" });
  const scoreSwitch = el("input", { type: "checkbox", id: "helper-score-switch" });
  const scoreSwitchRow = el("label", { className: "helper-switch", hidden: true }, scoreSwitch, " Allow the helper in this score (for everyone)");
  const tintBox = el("input", { type: "checkbox", id: "helper-tint", checked: true });
  const reason = el("p", { id: "helper-reason", className: "helper-reason" });
  const switches = el(
    "section",
    { className: "helper-switches" },
    el("label", { className: "helper-switch" }, optIn, " Use the voicing helper (only for me)"),
    el(
      "p",
      { className: "helper-why" },
      "Off by default. When on, you can ask for voicings of the chord symbols in a passage. ",
      "What it proposes stays here, apart from the score, until a person accepts it; accepted notes are ",
      "credited to whoever accepted them as helper material and can be reverted in one action.",
    ),
    scoreSwitchRow,
    el("label", { className: "helper-switch" }, tintBox, " Tint helper-suggested notes in the score"),
    reason,
  );

  const target = el("select", { id: "helper-target" }, ...Object.entries(TARGET_NAMES).map(([v, t]) => el("option", { value: v }, t)));
  const first = el("input", { id: "helper-first", type: "number", min: 1, value: 1 });
  const last = el("input", { id: "helper-last", type: "number", min: 1, value: 1 });
  const fromSelection = el("button", { type: "button", id: "helper-from-selection" }, "From selection");
  const partsBox = el("div", { id: "helper-parts", className: "helper-parts" });
  const melody = el("select", { id: "helper-melody" });
  const k = el("input", { id: "helper-k", type: "number", min: 1, max: 8, value: 3 });
  const ask = el("button", { type: "submit", id: "helper-ask" }, "Suggest voicings");
  const error = el("p", { id: "helper-error", className: "error" });
  const form = el(
    "form",
    { id: "helper-request", className: "helper-request", hidden: true },
    el("label", {}, "Voice for ", target),
    el("span", { className: "helper-range" }, el("label", {}, "m. ", first), el("label", {}, "to ", last), fromSelection),
    partsBox,
    el("label", {}, "Keep melody of ", melody),
    el("label", {}, "Alternatives ", k),
    ask,
    error,
  );
  const list = el("ul", { id: "helper-list", className: "helper-list" });
  const label = el("div", { className: "helper-label" }, "Helper suggestion — not in the score");
  const alts = el("div", { id: "helper-alts", className: "helper-alts" });
  const explain = el("div", { id: "helper-explain", className: "helper-explain" });
  const previewEl = el("div", { id: "helper-preview", className: "helper-preview" });
  const tweakChord = el("select", { id: "helper-tweak-chord" });
  const tweakVoice = el("select", { id: "helper-tweak-voice" });
  const up = el("button", { type: "button", id: "helper-up", title: "Move this note up a semitone" }, "▲");
  const down = el("button", { type: "button", id: "helper-down", title: "Move this note down a semitone" }, "▼");
  const resetTweaks = el("button", { type: "button", id: "helper-reset" }, "Undo tweaks");
  const tweakInfo = el("span", { id: "helper-tweaks", className: "helper-tweaks" });
  const accept = el("button", { type: "button", id: "helper-accept", className: "primary" }, "Accept into the score");
  const reject = el("button", { type: "button", id: "helper-reject" }, "Reject");
  const revert = el("button", { type: "button", id: "helper-revert" }, "Revert (remove from the score)");
  const message = el("p", { id: "helper-message", className: "helper-message" });
  const view = el(
    "section",
    { id: "helper-view", className: "helper-view", hidden: true },
    label,
    alts,
    explain,
    previewEl,
    el("div", { className: "helper-tweak" }, "Tweak: ", tweakChord, tweakVoice, up, down, resetTweaks, tweakInfo),
    el("div", { className: "helper-actions" }, accept, reject, revert),
    message,
  );
  body.replaceChildren(switches, form, el("h3", {}, "Suggestions"), list, view);
  const preview = new Preview(previewEl);

  // --- status and switches ------------------------------------------------------------------
  // Only the latest call's answer counts: an older one may come back later and is stale.
  const tickets = { status: 0, list: 0 };
  async function refreshStatus() {
    const ticket = ++tickets.status;
    const answer = await api(`/api/scores/${scoreId}/helper`);
    if (ticket !== tickets.status) return;
    state.status = answer;
    const s = state.status;
    optIn.checked = s.user_enabled;
    scoreSwitch.checked = s.score_enabled;
    scoreSwitchRow.hidden = !s.can_switch_score;
    reason.textContent = s.reason ? REASONS[s.reason] || s.reason : "";
    reason.dataset.reason = s.reason || "";
    form.hidden = !s.available || s.role === "viewer" || s.role === "commenter"; // the helper needs an editor
    container.dataset.available = String(s.available);
    if (summaryState) summaryState.textContent = s.available ? "on" : "off";
    renderView();
  }

  optIn.addEventListener("change", async () => {
    await api("/api/helper/preferences", { method: "PUT", body: { enabled: optIn.checked } });
    await refreshStatus();
    await refreshList();
  });
  scoreSwitch.addEventListener("change", async () => {
    await api(`/api/scores/${scoreId}/helper`, { method: "PUT", body: { enabled: scoreSwitch.checked } });
    await refreshStatus();
  });
  tintBox.addEventListener("change", () => drawTint());

  // --- the request form -----------------------------------------------------------------------
  function partSelect(name, chosen) {
    const doc = getDoc();
    const select = el("select", { dataset: { voice: name } }, ...doc.parts.map((p) => el("option", { value: p.id }, p.name || p.id)));
    if (chosen) select.value = chosen;
    return el("label", {}, `${name === "part" ? "Into part" : name} `, select);
  }

  function fillParts() {
    const doc = getDoc();
    if (!doc) return;
    const voices = VOICES[target.value];
    partsBox.replaceChildren(...voices.map((v, i) => partSelect(v, doc.parts[Math.min(i, doc.parts.length - 1)].id)));
    const current = melody.value;
    melody.replaceChildren(el("option", { value: "" }, "(none)"), ...doc.parts.map((p) => el("option", { value: p.id }, p.name || p.id)));
    melody.value = current;
    first.max = last.max = String(doc.measures.length);
  }
  target.addEventListener("change", fillParts);

  function useSelection() {
    const doc = getDoc();
    const ids = new Set(getSelection());
    let a = Infinity;
    let b = -1;
    doc.measures.forEach((m, i) => {
      for (const part of doc.parts) {
        const bar = part.bars[m.id];
        const hit = Object.values(bar.voices).some((events) => events.some((e) => ids.has(e.id)));
        if (hit) {
          a = Math.min(a, i);
          b = Math.max(b, i);
        }
      }
    });
    if (b >= 0) {
      first.value = String(a + 1);
      last.value = String(b + 1);
    }
  }
  fromSelection.addEventListener("click", useSelection);

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const doc = getDoc();
    const measureAt = (input) => doc.measures[Math.max(0, Math.min(doc.measures.length - 1, Number(input.value) - 1))].id;
    const parts = {};
    for (const select of partsBox.querySelectorAll("select")) parts[select.dataset.voice] = select.value;
    const payload = { target: target.value, first: measureAt(first), last: measureAt(last), parts, k: Number(k.value) || 3 };
    if (melody.value) payload.melody_part = melody.value;
    error.textContent = "";
    ask.disabled = true;
    try {
      const { suggestion } = await api(`/api/scores/${scoreId}/suggestions`, { method: "POST", body: payload });
      await refreshList();
      await open(suggestion.id);
    } catch (exc) {
      error.textContent = exc.message;
      error.dataset.code = exc.code || "";
    } finally {
      ask.disabled = false;
    }
  });

  // --- the list ---------------------------------------------------------------------------------
  async function refreshList() {
    const ticket = ++tickets.list;
    const { suggestions } = await api(`/api/scores/${scoreId}/suggestions`);
    if (ticket !== tickets.list) return;
    state.suggestions = suggestions;
    list.replaceChildren(
      ...suggestions
        .slice()
        .reverse()
        .map((s) => {
          const req = s.request;
          const status = s.reverted_seq ? "reverted" : s.status;
          const who = s.decided_by && s.status !== "pending" ? `, ${s.status} by ${s.decided_by.name}` : "";
          const show = el("button", { type: "button", className: "helper-show" }, "Show");
          show.addEventListener("click", () => open(s.id));
          return el(
            "li",
            { dataset: { id: String(s.id), status } },
            el("span", { className: "helper-badge" }, status),
            ` #${s.id} ${req.target.toUpperCase()} — asked by ${s.requested_by.name}${who} `,
            show,
          );
        }),
    );
    if (state.current) {
      const fresh = suggestions.find((s) => s.id === state.current.id);
      if (fresh) state.current = fresh;
      renderView();
    }
    if (anyAccepted()) scheduleProvenance();
  }

  // --- one suggestion -------------------------------------------------------------------------------
  async function open(id) {
    state.current = state.suggestions.find((s) => s.id === id) || (await api(`/api/scores/${scoreId}/suggestions/${id}`)).suggestion;
    state.alt = 0;
    state.tweaks = [];
    renderView();
    await showPreview();
  }

  function alternative() {
    return state.current && state.current.result.alternatives[state.alt];
  }

  function renderView() {
    const s = state.current;
    view.hidden = !s;
    if (!s) return;
    const colour = HELPER_COLOURS[state.alt % HELPER_COLOURS.length];
    view.style.setProperty("--helper-colour", colour);
    view.dataset.status = s.reverted_seq ? "reverted" : s.status;
    const pending = s.status === "pending";
    label.textContent = pending ? "Helper suggestion — not in the score" : s.reverted_seq ? "Helper suggestion — accepted, then reverted" : s.status === "accepted" ? `Helper suggestion — accepted by ${s.decided_by.name} (edit ${s.accepted_seq})` : `Helper suggestion — ${s.status}`;
    alts.replaceChildren(
      ...s.result.alternatives.map((a, i) => {
        const b = el("button", { type: "button", className: "helper-alt", dataset: { index: String(i) } }, `${i + 1} · cost ${a.cost}`);
        b.style.setProperty("--alt-colour", HELPER_COLOURS[i % HELPER_COLOURS.length]);
        b.setAttribute("aria-pressed", String(i === state.alt));
        b.addEventListener("click", async () => {
          state.alt = i;
          state.tweaks = [];
          renderView();
          await showPreview();
        });
        return b;
      }),
    );
    const a = alternative();
    const slots = s.result.slots;
    explain.replaceChildren(
      el("p", {}, `Chords: ${slots.map((x) => `${x.symbol} (m. ${x.number})`).join(", ")}`),
      el("p", {}, `Cost ${a.cost}: `, Object.entries(a.breakdown).map(([t, v]) => `${t} ${v}`).join(", ") || "no faults"),
      el("ul", {}, ...(a.explanation.length ? a.explanation : ["no rule broken"]).map((line) => el("li", {}, line))),
    );
    if (tweakChord.options.length !== slots.length) {
      tweakChord.replaceChildren(...slots.map((x, i) => el("option", { value: String(i) }, `${i + 1}: ${x.symbol}`)));
    }
    const chord = Number(tweakChord.value) || 0;
    const notes = tweakedNotes()[chord] || {};
    const wanted = Object.entries(notes).flatMap(([voice, ms]) => ms.map((m, i) => [`${voice}:${i}`, `${voice === "part" ? `note ${i + 1}` : voice} ${midiName(m)}`]));
    const keep = tweakVoice.value;
    tweakVoice.replaceChildren(...wanted.map(([v, t]) => el("option", { value: v }, t)));
    if (wanted.some(([v]) => v === keep)) tweakVoice.value = keep;
    tweakInfo.textContent = state.tweaks.length ? `${state.tweaks.length} tweak(s)` : "";
    const canAct = state.status && state.status.available && !["viewer", "commenter"].includes(state.status.role);
    for (const b of [accept, reject, up, down, resetTweaks]) b.hidden = !pending;
    accept.disabled = !canAct;
    revert.hidden = !(s.status === "accepted" && !s.reverted_seq);
  }

  function tweakedNotes() {
    const a = alternative();
    if (!a) return [];
    const notes = a.notes.map((c) => Object.fromEntries(Object.entries(c).map(([v, ms]) => [v, [...ms]])));
    for (const t of state.tweaks) notes[t.chord][t.voice][t.note] += t.semitones;
    return notes;
  }

  function tweak(semitones) {
    const [voice, note] = tweakVoice.value.split(":");
    state.tweaks.push({ chord: Number(tweakChord.value) || 0, voice, note: Number(note), semitones });
    renderView();
    showPreview();
  }
  up.addEventListener("click", () => tweak(1));
  down.addEventListener("click", () => tweak(-1));
  tweakChord.addEventListener("change", () => renderView());
  resetTweaks.addEventListener("click", () => {
    state.tweaks = [];
    renderView();
    showPreview();
  });

  async function showPreview() {
    const s = state.current;
    if (!s || s.status !== "pending" || !state.status || !state.status.available) {
      preview.clear();
      return;
    }
    try {
      const shown = await api(`/api/scores/${scoreId}/suggestions/${s.id}/preview`, {
        method: "POST",
        body: { alternative: state.alt, tweaks: state.tweaks },
      });
      await preview.show(getDoc(), shown.request, shown.ops, shown.note_ids, HELPER_COLOURS[state.alt % HELPER_COLOURS.length]);
      message.textContent = "";
    } catch (exc) {
      message.textContent = exc.message;
      state.tweaks.pop();
    }
  }

  async function act(path, bodyData) {
    message.textContent = "";
    try {
      const result = await api(`/api/scores/${scoreId}/suggestions/${state.current.id}/${path}`, { method: "POST", body: bodyData || {} });
      state.current = result.suggestion;
      if (result.conflicts && result.conflicts.length) message.textContent = `Kept later changes: ${result.conflicts.join("; ")}`;
      preview.clear();
      await refreshList();
      return result;
    } catch (exc) {
      message.textContent = exc.message;
      message.dataset.code = exc.code || "";
      return null;
    }
  }
  accept.addEventListener("click", () => act("accept", { alternative: state.alt, tweaks: state.tweaks }));
  reject.addEventListener("click", () => act("reject"));
  revert.addEventListener("click", () => act("revert"));

  // --- helper tint in the score ----------------------------------------------------------------------
  async function refreshProvenance() {
    try {
      const found = await api(`/api/scores/${scoreId}/provenance`);
      state.helperNotes = found.helper_notes;
      state.provenance = found;
    } catch {
      state.helperNotes = {};
    }
    drawTint();
  }

  function drawTint() {
    const ids = tintBox.checked ? Object.keys(state.helperNotes) : [];
    const sel = ids.map((id) => `#score ${cssId(id)}`).join(",");
    tint.textContent = sel ? `${sel} { fill: var(--helper-tint, #c2185b); }` : "";
  }

  let provenanceTimer = null;
  function scheduleProvenance() {
    clearTimeout(provenanceTimer);
    provenanceTimer = setTimeout(refreshProvenance, 250);
  }

  socket.on("suggestions", async (message_) => {
    if (message_.score !== scoreId) return;
    if (message_.action === "settings") await refreshStatus();
    await refreshList();
  });
  // Blame is only worth reading once something of the helper's was accepted here.
  const anyAccepted = () => state.suggestions.some((s) => s.status === "accepted");
  socket.on("edit", (wire) => {
    if (wire.score === scoreId && anyAccepted()) scheduleProvenance();
  });

  const ready = (async () => {
    await refreshStatus();
    await refreshList();
  })();
  const started = setInterval(() => {
    if (getDoc()) {
      clearInterval(started);
      fillParts();
    }
  }, 100);

  return { state, ready, open, refreshList, refreshStatus, refreshProvenance, preview, useSelection };
}
