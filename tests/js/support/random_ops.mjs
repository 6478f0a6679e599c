// Random but mostly valid edits against a document, for the collab fuzz: a port of
// tests/support/score_gen.py and random_ops.py (same op mix; its own seeded RNG, so
// not the same sequences). Every generator reads the document, so ops address
// elements that exist; a few are deliberately invalid or clash once concurrent.

import { durValue, formatFraction } from '../../../static/js/score/durations.js';
import { Fraction, ZERO, frac } from '../../../static/js/score/fraction.js';
import { applyEdit, clone } from '../../../static/js/score/index.js';
import { iterEvents, lengths, withOffsets } from '../../../static/js/score/model.js';

const STEPS = 'CDEFGAB';
const DURS = [
  { type: 1 },
  { type: 2 },
  { type: 4 },
  { type: 8 },
  { type: 16 },
  { type: 4, dots: 1 },
  { type: 8, dots: 1 },
  { type: 8, tuplet: [3, 2] },
  { type: 4, tuplet: [3, 2] },
];
const KINDS = [
  'write', 'write', 'write', 'delete', 'duration', 'pitch', 'add_note', 'remove_note', 'tie',
  'lyric', 'chord_symbol', 'dynamic', 'transpose', 'time', 'key', 'tempo', 'insert_measure',
  'remove_measure', 'add_part', 'remove_part', 'set_part', 'clef', 'voice2', 'meta',
];

/** A seeded PRNG (mulberry32) with the few helpers of Python's random the port needs. */
export class Rng {
  constructor(seed) {
    this.state = seed >>> 0;
  }
  random() {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  randrange(n) {
    return Math.floor(this.random() * n);
  }
  randint(a, b) {
    return a + this.randrange(b - a + 1);
  }
  choice(xs) {
    return xs[this.randrange(xs.length)];
  }
  sample(xs, k) {
    const pool = [...xs];
    const out = [];
    while (out.length < k && pool.length) out.push(pool.splice(this.randrange(pool.length), 1)[0]);
    return out;
  }
}

/** Fresh IDs unique to one simulated client. */
export function idSource(prefix) {
  let counter = 0;
  return (kind) => `${prefix}${kind}${++counter}`;
}

function randomPitch(rng) {
  return { step: rng.choice(STEPS), alter: rng.choice([0, 0, 0, 1, -1]), octave: rng.randint(2, 6) };
}

function notes(rng, newId, count) {
  const out = [];
  const midis = new Set();
  for (let i = 0; i < count; i += 1) {
    const pitch = randomPitch(rng);
    const midi = 12 * (pitch.octave + 1) + 'C D EF G A B'.indexOf(pitch.step) + pitch.alter;
    if (midis.has(midi)) continue;
    midis.add(midi);
    const note = { id: newId('n'), ...pitch };
    if (rng.random() < 0.1) note.tie = true;
    out.push(note);
  }
  return out;
}

/** One op against ``doc``; mostly valid, occasionally not. */
export function randomOp(doc, rng, newId) {
  const events = [...iterEvents(doc)];
  const allNotes = [];
  for (const found of events) for (const n of found[4].notes) allNotes.push([found[4], n]);
  const part = rng.choice(doc.parts);
  const measure = rng.choice(doc.measures);
  const length = lengths(doc).get(measure.id);
  const kind = rng.choice(KINDS);
  if (kind === 'write' || kind === 'voice2') {
    const dur = rng.choice(DURS);
    const value = durValue(dur);
    const slots = value.le(length) ? Number(length.div(value).n / length.div(value).d) : 0;
    let offset = slots ? value.mul(frac(rng.randrange(slots))) : ZERO;
    if (rng.random() < 0.05) offset = length; // invalid: does not fit
    return {
      op: 'write_event',
      part: part.id,
      measure: measure.id,
      voice: kind === 'voice2' ? '2' : '1',
      offset: formatFraction(offset),
      event: { id: newId('e'), dur, notes: notes(rng, newId, rng.choice([0, 1, 1, 1, 2, 3])) },
    };
  }
  if (kind === 'delete' && events.length) return { op: 'delete_event', event: rng.choice(events)[4].id };
  if (kind === 'duration' && events.length) {
    return { op: 'set_duration', event: rng.choice(events)[4].id, dur: rng.choice(DURS) };
  }
  if (kind === 'pitch' && allNotes.length) {
    return { op: 'set_pitch', note: rng.choice(allNotes)[1].id, ...randomPitch(rng) };
  }
  if (kind === 'add_note' && events.length) {
    return { op: 'add_note', event: rng.choice(events)[4].id, note: { id: newId('n'), ...randomPitch(rng) } };
  }
  if (kind === 'remove_note' && allNotes.length) return { op: 'remove_note', note: rng.choice(allNotes)[1].id };
  if (kind === 'tie' && allNotes.length) {
    return { op: 'set_tie', note: rng.choice(allNotes)[1].id, tie: rng.random() < 0.5 };
  }
  if (kind === 'lyric' && allNotes.length) {
    return {
      op: 'set_lyric',
      event: rng.choice(allNotes)[0].id,
      verse: rng.randint(1, 2),
      text: rng.choice(['la', 'di', '', 'Hal-', 'le']),
    };
  }
  if (kind === 'chord_symbol' || kind === 'dynamic') {
    const quarters = Number((length.n * 4n) / length.d);
    const op = {
      op: kind === 'chord_symbol' ? 'set_chord_symbol' : 'set_dynamic',
      part: part.id,
      measure: measure.id,
      offset: formatFraction(new Fraction(BigInt(rng.randrange(quarters)), 4n)),
      id: newId(kind === 'chord_symbol' ? 'h' : 'd'),
    };
    if (kind === 'chord_symbol') op.symbol = rng.choice(['C', 'G7/B', 'F#m7b5', 'Bb13', null]);
    else op.mark = rng.choice(['p', 'mf', 'ff', null]);
    return op;
  }
  if (kind === 'transpose' && allNotes.length) {
    const chosen = rng.sample(allNotes, Math.min(allNotes.length, rng.randint(1, 4)));
    const [diatonic, chromatic] = rng.choice([[1, 2], [-1, -2], [2, 4], [-7, -12], [0, 1], [4, 7]]);
    return { op: 'transpose', notes: chosen.map(([, n]) => n.id), diatonic, chromatic };
  }
  if (kind === 'time') {
    return { op: 'set_time', measure: measure.id, time: rng.choice([[3, 4], [4, 4], [2, 4], [6, 8], [5, 8], null]) };
  }
  if (kind === 'key') return { op: 'set_key', measure: measure.id, key: rng.choice([-3, 0, 2, null]) };
  if (kind === 'tempo') return { op: 'set_tempo', measure: measure.id, tempo: rng.choice([60, 96, null]) };
  if (kind === 'insert_measure') {
    const count = rng.randint(1, 2);
    const measures = [];
    for (let i = 0; i < count; i += 1) measures.push({ id: newId('m') });
    return { op: 'insert_measures', at: rng.randint(0, doc.measures.length), measures };
  }
  if (kind === 'remove_measure') return { op: 'remove_measures', ids: [measure.id] };
  if (kind === 'add_part') {
    return {
      op: 'add_part',
      at: rng.randint(0, doc.parts.length),
      part: { id: newId('p'), name: rng.choice(['Alto', 'Bass', 'Flute']) },
    };
  }
  if (kind === 'remove_part') return { op: 'remove_part', part: part.id };
  if (kind === 'set_part') return { op: 'set_part', part: part.id, name: rng.choice(['Violin', 'Voice']) };
  if (kind === 'clef') {
    return { op: 'set_clef', part: part.id, measure: measure.id, clef: rng.choice(['bass', 'treble', null]) };
  }
  if (kind === 'meta') return { op: 'set_meta', title: rng.choice(['Song', 'Chorale', '']) };
  // Fallback when the document has no notes or events of the needed kind.
  const [offset] = withOffsets(part.bars[measure.id].voices['1'])[0];
  return {
    op: 'write_event',
    part: part.id,
    measure: measure.id,
    offset: formatFraction(offset),
    event: { id: newId('e'), dur: { type: 4 }, notes: notes(rng, newId, 1) },
  };
}

/** One user action: usually one op, sometimes a small group. */
export function randomEdit(doc, rng, newId) {
  const count = rng.choice([1, 1, 1, 2, 3]);
  const ops = [];
  for (let i = 0; i < count; i += 1) ops.push(randomOp(doc, rng, newId));
  return ops;
}

/** An edit that applies to ``doc`` (tried on a copy); throws if none found in ``attempts``. */
export function validEdit(doc, rng, newId, attempts = 30) {
  for (let i = 0; i < attempts; i += 1) {
    const ops = randomEdit(doc, rng, newId);
    try {
      if (applyEdit(clone(doc), clone(ops)).inverse.length) return ops;
    } catch {
      // refused: try another
    }
  }
  throw new Error('no valid edit found; the generator cannot handle this document');
}
