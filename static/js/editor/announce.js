// Words for a screen reader, from the document model (never the SVG): the note under the
// cursor ("C sharp 4, quarter note, measure 3, beat 2, Violin") and what an edit changed
// and who changed it ("Ben: measure 3, Violin changed"). Pure; the page puts the text in
// an ARIA live region (#announcer).

import { Fraction } from "../score/fraction.js";
import { effectiveAttr } from "../score/model.js";
import { touchedMeasures } from "./lookup.js";

const DUR_NAMES = { 1: "whole", 2: "half", 4: "quarter", 8: "eighth", 16: "16th", 32: "32nd", 64: "64th", 128: "128th" };
const ALTERS = { "-2": " double flat", "-1": " flat", 0: "", 1: " sharp", 2: " double sharp" };

/** "C sharp 4" — spoken, not written ("C#4" reads badly aloud). */
export function spokenPitch(note) {
  return `${note.step}${ALTERS[note.alter || 0] ?? ""} ${note.octave}`;
}

/** "dotted quarter", "triplet eighth". */
export function spokenDuration(dur) {
  let name = DUR_NAMES[dur.type] || "odd";
  if (dur.dots) name = `${["", "dotted", "double dotted", "triple dotted"][dur.dots] || "dotted"} ${name}`;
  if (dur.tuplet) name = `${dur.tuplet[0] === 3 && dur.tuplet[1] === 2 ? "triplet" : `${dur.tuplet[0]} in ${dur.tuplet[1]}`} ${name}`;
  return name;
}

/** The beat (1-based) of ``offset`` (a Fraction of a whole note) in ``time``: "2",
 * "2 and a half", "1 and a third" (triplets), exactly. */
export function beatOf(offset, time) {
  const beats = offset.mul(new Fraction(time[1])); // in beat units of the time signature
  const whole = beats.n / beats.d;
  const rest = beats.sub(new Fraction(whole));
  const label = `${whole + 1n}`;
  if (rest.n === 0n) return label;
  const words = { "1/2": "a half", "1/3": "a third", "2/3": "two thirds", "1/4": "a quarter", "3/4": "three quarters" };
  return `${label} and ${words[`${rest.n}/${rest.d}`] || `${rest.n}/${rest.d}`}`;
}

function partName(index, partId) {
  const part = index.doc.parts.find((p) => p.id === partId);
  return part ? part.name || "unnamed part" : "a removed part";
}

/** The event (or one note of it) as a sentence: what, where. */
export function describeEvent(index, eventId, noteId = null) {
  const info = index.events.get(eventId);
  if (!info) return "nothing selected";
  const { event } = info;
  const dur = spokenDuration(event.dur);
  let what;
  if (!event.notes.length) what = `${dur} rest`;
  else if (noteId) {
    const note = event.notes.find((n) => n.id === noteId) || event.notes[0];
    what = `${spokenPitch(note)}, ${dur} note${event.notes.length > 1 ? ` of a ${event.notes.length}-note chord` : ""}`;
  } else if (event.notes.length === 1) what = `${spokenPitch(event.notes[0])}, ${dur} note`;
  else what = `${dur} chord ${event.notes.map(spokenPitch).join(", ")}`;
  const tied = event.notes.some((n) => n.tie) ? ", tied" : "";
  const time = effectiveAttr(index.doc, info.measureIndex, "time");
  const voice = info.voice !== "1" ? `, voice ${info.voice}` : "";
  return `${what}${tied}; measure ${info.measureIndex + 1}, beat ${beatOf(info.offset, time)}, ${partName(index, info.part)}${voice}`;
}

/** What ``ops`` (an edit just applied; ``index`` rebuilt) changed, said by ``author``. */
export function describeChange(index, ops, author = null) {
  const who = author ? `${author}: ` : "";
  const partOf = (op) => {
    if (typeof op.part === "string") return op.part;
    const eventId = typeof op.event === "string" ? op.event : index.notes.get(op.note || (op.notes || [])[0]);
    return index.events.get(eventId)?.part;
  };
  const parts = new Set(ops.map(partOf).filter(Boolean));
  const where = [...parts].map((p) => partName(index, p)).join(", ");
  const measures = touchedMeasures(index, ops);
  if (!measures) return `${who}changed the score${where ? `, ${where}` : ""}`;
  const numbers = [...measures].sort((a, b) => a - b).map((m) => m + 1);
  // touchedMeasures adds neighbours (ties reach over barlines); name the middle ones.
  const core = numbers.length > 2 ? numbers.slice(1, -1) : numbers;
  const span = core.length === 1 ? `measure ${core[0]}` : `measures ${core[0]} to ${core[core.length - 1]}`;
  return `${who}${span}${where ? `, ${where}` : ""} changed`;
}
