// The read-only history view: the score as it was at any seq, engraved apart from the live
// score (step back/forward, play through the history), named versions (save, list, restore)
// and the diff between two versions with added/removed/changed notes highlighted.
// Talks to the HTTP API only; a restore arrives as a normal edit through the collab pipeline.

import { api } from "../app/api.js";
import { Engraver } from "../render/engraver.js";
import { cssId, el } from "./dom.js";

const PLAY_STEP_MS = 400;

/** The history view (``view``, a section above the score) driven from ``controls``. */
export class TimeSlider {
  constructor({ view, controls, versionsBox, scoreId, getHead, say }) {
    this.scoreId = scoreId;
    this.view = view;
    this.getHead = getHead;
    this.say = say;
    this.seq = null;
    this.timer = null;
    this.engraver = null;
    this.base = `/api/scores/${encodeURIComponent(scoreId)}`;
    this.style = document.head.appendChild(el("style", { id: "history-diff-style" }));

    this.label = el("p", { className: "history-readonly", id: "history-view-label" });
    this.summary = el("ul", { className: "history-diff-lines", id: "history-diff-lines" });
    this.canvas = el("div", { className: "history-canvas", id: "history-canvas" });
    const close = el("button", { type: "button", id: "history-view-close", onclick: () => this.close() }, "Back to the live score");
    view.append(el("div", { className: "history-view-head" }, this.label, close), this.summary, this.canvas);

    this.range = el("input", { type: "range", id: "history-seq", min: 0, max: 0, value: 0 });
    this.range.addEventListener("change", () => this.show(Number(this.range.value)));
    const button = (id, text, title, onclick) => el("button", { type: "button", id, title, onclick }, text);
    controls.append(
      el("h3", {}, "Timeslider"),
      el(
        "div",
        { className: "history-slider" },
        button("history-first", "|◀", "The score as created", () => this.show(0)),
        button("history-back", "◀", "One edit back", () => this.step(-1)),
        this.range,
        button("history-forward", "▶", "One edit forward", () => this.step(1)),
        (this.playButton = button("history-play", "Play", "Play through the history", () => this.play())),
      ),
    );

    this.versionLabel = el("input", { id: "history-version-label", placeholder: "Version name", maxLength: 200 });
    this.versionList = el("ul", { className: "history-versions", id: "history-versions" });
    this.diffFrom = el("select", { id: "history-diff-from" });
    this.diffTo = el("select", { id: "history-diff-to" });
    versionsBox.append(
      el("h3", {}, "Versions"),
      el(
        "form",
        { className: "history-version-form", onsubmit: (e) => (e.preventDefault(), this.saveVersion()) },
        this.versionLabel,
        el("button", { type: "submit", id: "history-version-save" }, "Save version"),
      ),
      this.versionList,
      el(
        "div",
        { className: "history-compare" },
        "Compare ",
        this.diffFrom,
        " with ",
        this.diffTo,
        " ",
        button("history-diff", "Show differences", "Highlight what changed", () => this.compare()),
      ),
    );
    this.versions = [];
  }

  get open() {
    return !this.view.hidden;
  }

  async fetchDoc(seq) {
    return (await api(`${this.base}/doc?at=${seq}`)).doc;
  }

  async engrave(doc) {
    if (!this.engraver) this.engraver = new Engraver(this.canvas, { sliceSize: 4 });
    this.view.hidden = false;
    await this.engraver.render(doc);
  }

  /** Show the score as it was after edit ``seq`` (read-only). */
  async show(seq) {
    const head = this.getHead();
    seq = Math.max(0, Math.min(head, seq));
    this.seq = seq;
    this.range.max = String(head);
    this.range.value = String(seq);
    this.style.textContent = "";
    this.summary.replaceChildren();
    this.view.dataset.mode = "timeslider";
    this.view.dataset.seq = String(seq);
    this.label.textContent = `Read-only: the score after edit ${seq} of ${head}${seq === 0 ? " (as created)" : ""}`;
    await this.engrave(await this.fetchDoc(seq));
    this.view.dataset.shown = String(seq);
  }

  step(delta) {
    return this.show((this.seq ?? this.getHead()) + delta);
  }

  play() {
    if (this.playing) return this.stop();
    let seq = this.seq === null || this.seq >= this.getHead() ? 0 : this.seq;
    this.playButton.textContent = "Stop";
    const token = (this.playing = {});
    const tick = async () => {
      await this.show(seq);
      if (this.playing !== token) return; // stopped while this step was drawn
      seq += 1;
      this.timer = seq <= this.getHead() ? setTimeout(tick, PLAY_STEP_MS) : null;
      if (!this.timer) {
        this.playing = null;
        this.playButton.textContent = "Play";
      }
    };
    tick();
  }

  stop() {
    this.playing = null;
    clearTimeout(this.timer);
    this.timer = null;
    this.playButton.textContent = "Play";
  }

  close() {
    this.stop();
    this.view.hidden = true;
    this.seq = null;
    this.style.textContent = "";
  }

  /** Called when the live score moved on: the slider's range grows with it. */
  headMoved(head) {
    this.range.max = String(head);
    if (this.seq === null) this.range.value = String(head);
  }

  // --- versions ---------------------------------------------------------------------------

  async loadVersions() {
    this.versions = (await api(`${this.base}/versions`)).versions;
    this.versionList.replaceChildren(
      ...this.versions.map((v) =>
        el(
          "li",
          { dataset: { seq: String(v.seq) } },
          el("strong", {}, v.label),
          ` — edit ${v.seq}, by ${v.author.name} `,
          el("button", { type: "button", className: "history-version-view", onclick: () => this.show(v.seq) }, "view"),
          " ",
          el("button", { type: "button", className: "history-version-restore", onclick: () => this.restore(v) }, "restore"),
        ),
      ),
    );
    const options = () => [
      ...this.versions.map((v) => el("option", { value: String(v.seq) }, `${v.label} (edit ${v.seq})`)),
      el("option", { value: "" }, "now"),
    ];
    this.diffFrom.replaceChildren(el("option", { value: "0" }, "as created"), ...options());
    this.diffTo.replaceChildren(...options());
    this.diffTo.value = "";
  }

  async saveVersion() {
    const label = this.versionLabel.value.trim();
    if (!label) return this.say("Give the version a name");
    try {
      const { version } = await api(`${this.base}/versions`, { method: "POST", body: { label } });
      this.versionLabel.value = "";
      this.say(`Saved version “${version.label}” at edit ${version.seq}`);
      await this.loadVersions();
    } catch (error) {
      this.say(`Cannot save the version: ${error.message}`);
    }
  }

  async restore(version) {
    try {
      const result = await api(`${this.base}/restore`, { method: "POST", body: { seq: version.seq } });
      this.say(result.unchanged ? "The score is already as that version" : `Restored “${version.label}” as edit ${result.seq}`);
      this.close();
    } catch (error) {
      this.say(`Cannot restore: ${error.message}`);
    }
  }

  /** Engrave the later version with added (green) and changed (orange) notes marked;
   * removed material is listed (it is not in the later score to be drawn). */
  async compare() {
    const from = Number(this.diffFrom.value || this.getHead());
    const to = this.diffTo.value === "" ? null : Number(this.diffTo.value);
    const query = `from=${from}${to === null ? "" : `&to=${to}`}`;
    const diff = await api(`${this.base}/diff?${query}`);
    this.stop();
    this.seq = diff.to;
    this.view.dataset.mode = "diff";
    this.label.textContent = `Read-only: differences from edit ${diff.from} to edit ${diff.to} — ${diff.added.length} added, ${diff.changed.length} changed, ${diff.removed.length} removed`;
    const rule = (ids, cls) => (ids.length ? `${ids.map((id) => `#history-canvas ${cssId(id)}`).join(",")} { fill: var(${cls}); stroke: var(${cls}); }` : "");
    this.style.textContent = [rule(diff.added, "--diff-added"), rule(diff.changed, "--diff-changed")].join("\n");
    this.summary.replaceChildren(
      ...(diff.entries.length ? diff.entries : [{ change: "same", text: "No differences" }]).map((e) =>
        el("li", { className: `history-diff-${e.change}`, dataset: { id: e.id || "", change: e.change } }, e.text),
      ),
    );
    await this.engrave(await this.fetchDoc(diff.to));
    this.view.dataset.shown = `diff:${diff.from}:${diff.to}`;
  }
}
