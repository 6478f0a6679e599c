// Keeps the engraved score in the page in step with the document, slice by slice.
// The score is cut into slices of a few measures (one system each); after an edit
// only slices whose MEI changed are re-engraved by the worker and spliced in.

import { sliceMei, sliceRanges } from "./mei.js";

const SCALE = 55; // the worker's Verovio scale (percent)
// Slices engraved first (what is on screen), then per request: small enough that each
// batch shows within a fraction of a second, large enough to keep the worker busy.
const FIRST_BATCH = 3;
const BATCH = 6;

/** ``dirty`` slices in requests: first those in ``visible`` (up to FIRST_BATCH), then the
 * rest in score order, BATCH at a time. Few slices: one request. */
export function batches(dirty, visible = []) {
  if (dirty.length <= FIRST_BATCH) return dirty.length ? [dirty] : [];
  const seen = new Set(visible);
  const first = dirty.filter((d) => seen.has(d.key)).slice(0, FIRST_BATCH);
  const firstKeys = new Set(first.map((d) => d.key));
  const rest = dirty.filter((d) => !firstKeys.has(d.key));
  const head = first.length ? first : rest.splice(0, FIRST_BATCH);
  const out = [head];
  for (let i = 0; i < rest.length; i += BATCH) out.push(rest.slice(i, i + BATCH));
  return out;
}

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
    const meis = new Map();
    const meiOf = (i) => {
      if (!meis.has(i)) meis.set(i, sliceMei(doc, ranges[i][0], ranges[i][1]));
      return meis.get(i);
    };
    while (this.slices.length > ranges.length) this.slices.pop().el.remove();
    while (this.slices.length < ranges.length) {
      const el = document.createElement("div");
      el.className = "slice";
      this.container.appendChild(el);
      this.slices.push({ mei: null, el, range: null });
    }
    const dirty = [];
    ranges.forEach(([s, e], i) => {
      const cached = this.slices[i].mei;
      // A slice showing nothing yet is engraved without a comparison, and its MEI is
      // written only when its batch goes (a big score's first system need not wait for
      // the MEI of all the others).
      if (!cached) return dirty.push({ key: i });
      if (partial) {
        let hit = false;
        for (let m = s; m < e && !hit; m++) hit = touched.has(m);
        if (!hit) return;
      }
      if (meiOf(i) !== cached) dirty.push({ key: i });
    });
    const meiDone = performance.now();
    let workerMs = 0;
    // Many slices (opening a score, a new width): the ones on screen first, then the
    // rest in batches, each shown as it comes, with a progress count. An edit's one or
    // two slices go in a single request, as before.
    let done = 0;
    for (const batch of batches(dirty, this.visibleSlices())) {
      const result = await this.request(batch.map(({ key }) => ({ key, mei: meiOf(key) })));
      workerMs += result.ms;
      for (const { key, svg } of result.items) {
        const slice = this.slices[key];
        if (!slice) continue;
        slice.el.innerHTML = svg;
        slice.mei = meiOf(key);
      }
      done += batch.length;
      if (done === batch.length) this.stats.firstMs = performance.now() - started;
      this.progress(done, dirty.length);
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

  /** Indexes of the slices now in (or near) the viewport, top first. */
  visibleSlices() {
    const height = globalThis.innerHeight || 900;
    const out = [];
    this.slices.forEach((slice, i) => {
      const box = slice.el.getBoundingClientRect();
      // An empty slice has no height yet: treat it as one system tall (~150 px).
      const bottom = box.top + Math.max(box.height, 150);
      if (bottom >= -height && box.top <= 2 * height) out.push(i);
    });
    return out;
  }

  /** Tell the page how far a long engraving has got ("12 of 40 systems"). */
  progress(done, total) {
    this.stats.progress = { done, total };
    if (total > FIRST_BATCH) {
      this.container.dispatchEvent(new CustomEvent("progress", { detail: { done, total } }));
    }
  }

  /** The baseline: engrave the whole score as one piece (used by the benchmark). */
  async renderFull(doc) {
    const started = performance.now();
    const result = await this.request([{ key: "full", mei: sliceMei(doc) }]);
    const svg = result.items[0].svg;
    return { ms: performance.now() - started, length: svg.length };
  }
}
