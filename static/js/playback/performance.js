// How the timeline of written notes (player.js ``schedule``) is performed: tied notes held,
// not re-struck; dynamics as velocities; chord symbols sounded; a metronome and a count-in.
// Works on the timeline's entries (whatever order repeats give them), looking events up in
// the document; pure, tested in Node.

import { durValue, parseFraction } from "../score/durations.js";
import { effectiveAttr } from "../score/model.js";

/** MIDI-like velocities (0..1) of the dynamic marks; sfz accents one event only. */
export const VELOCITY = { ppp: 0.2, pp: 0.3, p: 0.42, mp: 0.52, mf: 0.62, f: 0.76, ff: 0.88, fff: 0.97 };
const DEFAULT_VELOCITY = VELOCITY.mf;
const ACCENTS = { sfz: 1.0, sf: 1.0, fz: 1.0, sfp: 0.95 };

/** Where each event sits: eventId -> {part, voice, measure (index), offset (Fraction), event}. */
export function locate(doc) {
  const at = new Map();
  doc.measures.forEach((m, mi) => {
    doc.parts.forEach((part, pi) => {
      for (const [voice, events] of Object.entries(part.bars[m.id].voices)) {
        let offset = parseFraction("0");
        for (const event of events) {
          at.set(event.id, { part: pi, voice, measure: mi, offset, event });
          offset = offset.add(durValue(event.dur));
        }
      }
    });
  });
  return at;
}

/** The event a mark at ``offset`` of a bar belongs to: the first of voice 1 there or after. */
function anchorEvent(bar, offset) {
  let at = parseFraction("0");
  for (const event of bar.voices["1"] || []) {
    if (at.ge(offset)) return event.id;
    at = at.add(durValue(event.dur));
  }
  return null;
}

/**
 * Perform ``timeline`` ({notes, total} from ``schedule``): returns notes with per-note
 * ``durs`` (ties held over) and ``velocity``, the chord-symbol ``chords`` (when asked) and
 * the metronome ``clicks`` [{time, strong}] (when asked), with ``countIn`` bars of clicks
 * before ``from`` (seconds) shifting nothing: count-in clicks have negative times.
 */
export function performance(doc, timeline, { chords = false, metronome = false, countIn = 0, from = 0 } = {}) {
  const where = locate(doc);
  const dynamicAt = new Map(); // eventId -> mark starting there
  const chordAt = new Map(); // eventId -> symbol
  doc.measures.forEach((m) => {
    doc.parts.forEach((part) => {
      const bar = part.bars[m.id];
      for (const d of bar.dynamics || []) {
        const id = anchorEvent(bar, parseFraction(d.offset));
        if (id) dynamicAt.set(id, d.mark);
      }
      for (const h of bar.harmonies || []) {
        const id = anchorEvent(bar, parseFraction(h.offset));
        if (id) chordAt.set(id, h.symbol);
      }
    });
  });

  const level = new Map(); // part -> current velocity
  const open = new Map(); // "part/voice/midi" -> {note, index, end}
  const notes = [];
  for (const entry of timeline.notes) {
    const info = where.get(entry.eventId);
    const part = entry.part;
    const mark = dynamicAt.get(entry.eventId);
    if (mark && VELOCITY[mark] !== undefined) level.set(part, VELOCITY[mark]);
    const velocity = mark && ACCENTS[mark] ? ACCENTS[mark] : (level.get(part) ?? DEFAULT_VELOCITY);
    const voice = info ? info.voice : "1";
    const played = { ...entry, midis: [], durs: [], velocity };
    entry.midis.forEach((midi, i) => {
      const key = `${part}/${voice}/${midi}`;
      const held = open.get(key);
      const noteId = entry.noteIds ? entry.noteIds[i] : null;
      const tiedOn = info && info.event.notes.find((n) => n.id === noteId)?.tie;
      if (held && Math.abs(held.end - entry.time) < 1e-6) {
        // The tie's second note: the first one sounds on, no new attack.
        held.note.durs[held.index] = entry.time + entry.dur - held.note.time;
        held.note.dur = Math.max(held.note.dur, held.note.durs[held.index]);
        if (tiedOn) held.end = entry.time + (nextStart(entry, info, timeline) ?? entry.dur);
        else open.delete(key);
        return;
      }
      open.delete(key);
      played.midis.push(midi);
      played.durs.push(entry.dur);
      if (tiedOn) open.set(key, { note: played, index: played.midis.length - 1, end: entry.time + (nextStart(entry, info, timeline) ?? entry.dur) });
    });
    notes.push(played);
  }

  const result = { notes, total: timeline.total, chords: [], clicks: [] };
  const starts = measureStarts(doc, timeline, where);
  if (chords) result.chords = chordNotes(doc, timeline, where, chordAt, starts);
  if (metronome || countIn) result.clicks = clicks(doc, starts, timeline.total, { metronome, countIn, from });
  return result;
}

/** Seconds from this entry's start to where its written length ends (a staccato is
 * shortened in ``dur``, but its tie reaches the next note). */
function nextStart(entry, info, timeline) {
  if (!info) return null;
  const seq = timeline.notes;
  for (let i = seq.indexOf(entry) + 1; i < seq.length; i++) {
    const other = seq[i];
    if (other.part === entry.part && other.time > entry.time + 1e-9) {
      return other.time - entry.time;
    }
  }
  return null;
}

/** Start time of each performed measure: [{time, measure}] in timeline order. */
function measureStarts(doc, timeline, where) {
  const starts = [];
  for (const entry of timeline.notes) {
    const info = where.get(entry.eventId);
    if (info && info.part === 0 && info.voice === "1" && info.offset.n === 0n) {
      starts.push({ time: entry.time, measure: info.measure });
    }
  }
  return starts;
}

/** Beats of a time signature as a metronome counts them: compound metres in dotted
 * quarters (6/8 = 2 clicks), others in their beat unit. */
export function beatsOf(time) {
  const [count, unit] = time;
  if (unit >= 8 && count % 3 === 0 && count > 3) return count / 3;
  return count;
}

function clicks(doc, starts, total, { metronome, countIn, from }) {
  const out = [];
  starts.forEach((s, i) => {
    const end = i + 1 < starts.length ? starts[i + 1].time : total;
    const beats = beatsOf(effectiveAttr(doc, s.measure, "time"));
    const step = (end - s.time) / beats;
    if (metronome && s.time >= from - 1e-9) {
      for (let b = 0; b < beats; b++) out.push({ time: s.time + b * step, strong: b === 0 });
    }
  });
  if (countIn > 0) {
    const first = starts.find((s) => s.time >= from - 1e-9) || starts[0];
    if (first) {
      const i = starts.indexOf(first);
      const end = i + 1 < starts.length ? starts[i + 1].time : total;
      const beats = beatsOf(effectiveAttr(doc, first.measure, "time"));
      const step = (end - first.time) / beats;
      const n = beats * countIn;
      for (let b = 0; b < n; b++) out.push({ time: from - (n - b) * step, strong: b % beats === 0, countIn: true });
    }
  }
  return out.sort((a, b) => a.time - b.time);
}

// --- chord symbols as sound ------------------------------------------------------------------

const ROOTS = { C: 0, D: 2, E: 4, F: 5, G: 7, A: 9, B: 11 };
// Longest first: "maj7" before "m", "m7b5" before "m7".
const QUALITIES = [
  ["maj9", [0, 4, 7, 11, 14]], ["maj7", [0, 4, 7, 11]], ["Maj7", [0, 4, 7, 11]], ["M7", [0, 4, 7, 11]],
  ["Δ7", [0, 4, 7, 11]], ["Δ", [0, 4, 7, 11]], ["m7b5", [0, 3, 6, 10]], ["ø", [0, 3, 6, 10]],
  ["dim7", [0, 3, 6, 9]], ["°7", [0, 3, 6, 9]], ["dim", [0, 3, 6]], ["°", [0, 3, 6]],
  ["m(maj7)", [0, 3, 7, 11]], ["mMaj7", [0, 3, 7, 11]], ["m9", [0, 3, 7, 10, 14]], ["m7", [0, 3, 7, 10]],
  ["m6", [0, 3, 7, 9]], ["min", [0, 3, 7]], ["m", [0, 3, 7]], ["-7", [0, 3, 7, 10]], ["-", [0, 3, 7]],
  ["aug", [0, 4, 8]], ["+", [0, 4, 8]], ["sus2", [0, 2, 7]], ["sus4", [0, 5, 7]], ["sus", [0, 5, 7]],
  ["13", [0, 4, 7, 10, 14, 21]], ["11", [0, 7, 10, 14, 17]], ["9", [0, 4, 7, 10, 14]], ["7sus4", [0, 5, 7, 10]],
  ["7", [0, 4, 7, 10]], ["6/9", [0, 4, 7, 9, 14]], ["69", [0, 4, 7, 9, 14]], ["6", [0, 4, 7, 9]],
  ["5", [0, 7]], ["add9", [0, 4, 7, 14]], ["", [0, 4, 7]],
];

/** MIDI pitches of a chord symbol in close position (root from C3 up; a slash bass in
 * octave 2), or null when the symbol is not understood. */
export function chordPitches(symbol) {
  const text = String(symbol).trim().replace(/♭/g, "b").replace(/♯/g, "#");
  const match = /^([A-G])([#b]?)(.*?)(?:\/([A-G])([#b]?))?$/.exec(text);
  if (!match) return null;
  const [, letter, acc, rest, bassLetter, bassAcc] = match;
  const root = ROOTS[letter] + (acc === "#" ? 1 : acc === "b" ? -1 : 0);
  // A known quality, possibly followed by alterations we do not sound ("7b9", "7(#11)").
  const quality = QUALITIES.find(([name]) => (name ? rest.startsWith(name) : rest === ""));
  if (!quality) return null;
  const pitches = quality[1].map((i) => 48 + ((root + 12) % 12) + i);
  if (bassLetter) pitches.unshift(36 + ((ROOTS[bassLetter] + (bassAcc === "#" ? 1 : bassAcc === "b" ? -1 : 0) + 12) % 12));
  return pitches;
}

function chordNotes(doc, timeline, where, chordAt, starts) {
  const out = [];
  const ends = new Map(starts.map((s, i) => [s.time, i + 1 < starts.length ? starts[i + 1].time : timeline.total]));
  const sounded = timeline.notes.filter((n) => chordAt.has(n.eventId) && where.get(n.eventId)?.voice === "1");
  sounded.forEach((n, i) => {
    const pitches = chordPitches(chordAt.get(n.eventId));
    if (!pitches) return;
    // Until the next chord symbol or the end of its bar, whichever comes first.
    const barStart = [...ends.keys()].filter((t) => t <= n.time + 1e-9).pop();
    const barEnd = barStart !== undefined ? ends.get(barStart) : timeline.total;
    const next = sounded[i + 1] && sounded[i + 1].part === n.part ? sounded[i + 1].time : Infinity;
    out.push({ time: n.time, dur: Math.min(barEnd, next) - n.time, midis: pitches, part: n.part });
  });
  return out;
}
