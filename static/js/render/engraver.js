// Keeps the engraved score in the page in step with the document, slice by slice.
// The score is cut into slices of a few measures (one system each); after an edit
// only slices whose MEI changed are re-engraved by the worker and spliced in.

import { sliceMei, sliceRanges } from "./mei.js";

const SCALE = 55; // the worker's Verovio scale (percent)

export class Engraver {
  constructor(container, { sliceSize = 4 } = {}) {
    this.container = container;
    this.sliceSize = sliceSize;
    this.worker = new Worker("/static/js/render/worker.js", { type: "module" });
    this.pending = new Map();
    this.nextId = 1;
    this.slices = []; // [{mei, el, range}]
    this.queued = null;
    this.busy = null;
    this.stats = { renders: 0, lastMs: 0, lastSlices: 0 };
    this.worker.onmessage = (message) => {
      const { id } = message.data;
      const resolve = this.pending.get(id);
      this.pending.delete(id);
      if (resolve) resolve(message.data);
    };
  }

  request(items) {
    const id = this.nextId++;
    return new Promise((resolve) => {
      this.pending.set(id, resolve);
      this.worker.postMessage({ id, items, pageWidth: this.pageWidth() });
    });
  }

  /** Verovio page width (its units) that engraves a system as wide as the container. */
  pageWidth() {
    const px = Math.max(600, (this.container.clientWidth || 1000) - 8);
    return Math.round((px * 100) / SCALE);
  }

  /**
   * Re-engrave what changed; resolves once the page shows ``doc``. Coalesces bursts.
   * ``touched``: indexes of the only measures that can have changed (null: any).
   */
  render(doc, touched = null) {
    if (this.queued) {
      // Merging two pending renders: the union of what they touched (null wins).
      touched = touched && this.queuedTouched ? new Set([...touched, ...this.queuedTouched]) : null;
    }
    this.queued = doc;
    this.queuedTouched = touched;
    if (!this.busy) {
      this.busy = (async () => {
        while (this.queued) {
          const next = this.queued;
          const nextTouched = this.queuedTouched;
          this.queued = null;
          this.queuedTouched = null;
          await this.renderNow(next, nextTouched);
        }
        this.busy = null;
      })();
    }
    return this.busy;
  }

  async renderNow(doc, touched = null) {
    const started = performance.now();
    const width = this.pageWidth();
    if (width !== this.width) {
      // A new width re-justifies every system.
      this.width = width;
      for (const slice of this.slices) slice.mei = null;
    }
    const ranges = sliceRanges(doc, this.sliceSize);
    // Only slices holding a touched measure need new MEI; the rest keep what they show.
    const partial = touched && ranges.length === this.slices.length;
    const meis = ranges.map(([s, e], i) => {
      const cached = this.slices[i] && this.slices[i].mei;
      if (partial && cached) {
        let hit = false;
        for (let m = s; m < e && !hit; m++) hit = touched.has(m);
        if (!hit) return cached;
      }
      return sliceMei(doc, s, e);
    });
    const meiDone = performance.now();
    let workerMs = 0;
    const dirty = [];
    meis.forEach((mei, i) => {
      if (!this.slices[i] || this.slices[i].mei !== mei) dirty.push({ key: i, mei });
    });
    while (this.slices.length > ranges.length) this.slices.pop().el.remove();
    while (this.slices.length < ranges.length) {
      const el = document.createElement("div");
      el.className = "slice";
      this.container.appendChild(el);
      this.slices.push({ mei: null, el, range: null });
    }
    if (dirty.length) {
      const result = await this.request(dirty);
      workerMs = result.ms;
      for (const { key, svg } of result.items) {
        const slice = this.slices[key];
        if (!slice) continue;
        slice.el.innerHTML = svg;
        slice.mei = meis[key];
      }
    }
    ranges.forEach((range, i) => {
      this.slices[i].range = range;
      this.slices[i].el.dataset.first = String(range[0] + 1);
    });
    this.stats.renders += 1;
    this.stats.lastMs = performance.now() - started;
    this.stats.lastSlices = dirty.length;
    this.stats.lastMeiMs = meiDone - started;
    this.stats.lastWorkerMs = workerMs;
    this.container.dispatchEvent(new CustomEvent("rendered", { detail: { ...this.stats } }));
  }

  /** The baseline: engrave the whole score as one piece (used by the benchmark). */
  async renderFull(doc) {
    const started = performance.now();
    const result = await this.request([{ key: "full", mei: sliceMei(doc) }]);
    const svg = result.items[0].svg;
    return { ms: performance.now() - started, length: svg.length };
  }
}
