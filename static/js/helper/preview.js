// The helper's preview: the passage with one alternative written in, engraved apart
// from the score, the suggested notes drawn in the alternative's colour. Pure helpers
// plus one Engraver per panel; never touches the live document.

import { cssId } from "../app/css.js";
import { applyEdit, clone } from "../score/index.js";
import { effectiveAttr } from "../score/model.js";
import { Engraver } from "../render/engraver.js";

export { cssId };

/** Distinct helper colours, one per alternative (none of them a person's colour). */
export const HELPER_COLOURS = ["#c2185b", "#00897b", "#7b1fa2", "#ef6c00", "#2e7d32", "#0277bd", "#6d4c41", "#ad1457"];

/** Measures ``first..last`` and the named parts of ``doc`` as a standalone document. */
export function passageDoc(doc, first, last, partIds) {
  const a = doc.measures.findIndex((m) => m.id === first);
  const b = doc.measures.findIndex((m) => m.id === last);
  if (a < 0 || b < a) return null;
  const measures = doc.measures.slice(a, b + 1).map((m) => ({ ...m }));
  for (const attr of ["time", "key", "tempo"]) measures[0][attr] = effectiveAttr(doc, a, attr);
  const keep = new Set(measures.map((m) => m.id));
  const parts = doc.parts
    .filter((p) => partIds.includes(p.id))
    .map((p) => ({ ...p, bars: Object.fromEntries(Object.entries(p.bars).filter(([mid]) => keep.has(mid))) }));
  return { ...doc, measures, parts };
}

export class Preview {
  constructor(container) {
    this.container = container;
    this.style = document.createElement("style");
    this.style.id = "helper-preview-style";
    document.head.appendChild(this.style);
    this.engraver = null;
    this.noteIds = [];
  }

  /** Engrave ``doc`` + ``ops`` over the request's passage; colour the notes ``noteIds``. */
  async show(doc, request, ops, noteIds, colour) {
    const scratch = clone(doc);
    applyEdit(scratch, ops);
    const partIds = [...new Set([...Object.values(request.parts), request.melody_part].filter(Boolean))];
    const passage = passageDoc(scratch, request.first, request.last, partIds);
    if (!passage) return;
    if (!this.engraver) this.engraver = new Engraver(this.container, { sliceSize: 4 });
    this.noteIds = noteIds;
    const sel = noteIds.map((id) => `#helper-preview ${cssId(id)}`).join(",");
    this.style.textContent = sel ? `${sel} { fill: ${colour}; stroke: ${colour}; }` : "";
    this.container.style.setProperty("--helper-colour", colour);
    await this.engraver.render(passage);
  }

  clear() {
    this.style.textContent = "";
    this.noteIds = [];
    if (this.engraver) for (const slice of this.engraver.slices) slice.mei = null;
    this.container.querySelectorAll(".slice").forEach((el) => (el.innerHTML = ""));
  }

  /** How many suggested notes the preview engraving shows. */
  drawnCount() {
    return this.noteIds.filter((id) => this.container.querySelector(cssId(id))).length;
  }
}
