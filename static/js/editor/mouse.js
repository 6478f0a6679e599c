// Mouse entry: a click on a staff in note input places a note of the chosen duration at
// the pitch of the line or space clicked (key signature applied) and the time under the
// pointer. Pure arithmetic here (staff step -> pitch, click -> event); the page reads the
// engraved staff lines for the geometry.

import { keyAlter } from "./pitch.js";

const STEPS = "CDEFGAB";
// The bottom staff line of each clef, as a diatonic number (octave * 7 + letter index).
const BOTTOM_LINE = {
  treble: 4 * 7 + 2, // E4
  treble8vb: 3 * 7 + 2, // E3
  bass: 2 * 7 + 4, // G2
  alto: 3 * 7 + 3, // F3
  tenor: 3 * 7 + 1, // D3
  percussion: 4 * 7 + 2,
};

/** The clef in force in ``part`` at measure ``index`` (a bar's clef change, else the part's). */
export function clefIn(doc, part, index) {
  let clef = part.clef || "treble";
  for (let i = 0; i <= index; i++) {
    const bar = part.bars[doc.measures[i].id];
    if (bar && bar.clef) clef = bar.clef;
  }
  return clef;
}

/** The pitch ``steps`` staff positions (lines and spaces) above the bottom line. */
export function pitchAtStaffStep(clef, steps, key) {
  const diatonic = (BOTTOM_LINE[clef] ?? BOTTOM_LINE.treble) + steps;
  const octave = Math.floor(diatonic / 7);
  const step = STEPS[((diatonic % 7) + 7) % 7];
  return { step, alter: keyAlter(key, step), octave };
}

/** Staff positions above the bottom line of a click at ``y``, given the staff's top and
 * bottom line (same coordinates, y growing downwards): lines are even, spaces odd. */
export function staffStep(y, topLine, bottomLine) {
  const half = (bottomLine - topLine) / 8; // half a line spacing
  return Math.round((bottomLine - y) / half);
}

/** The event a click at ``x`` lands on: the last whose left edge is at or before ``x``
 * (else the first). ``boxes``: [{eventId, left}] of one staff and voice, in time order. */
export function eventAtX(boxes, x) {
  let found = boxes[0] || null;
  for (const box of boxes) if (box.left <= x + 1) found = box;
  return found ? found.eventId : null;
}
