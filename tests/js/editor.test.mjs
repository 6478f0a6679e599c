// The browser editor's and playback's arithmetic: exact offsets from the score mirror
// (static/js/score/), never from the renderer, so an offset the editor writes is the one
// the server computes.
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { test } from 'node:test';

import {
  addSpanner,
  copySelection,
  cursorFromSelection,
  deleteSelection,
  paste,
  setForm,
  toggleMark,
  transposeBy,
  writeAtCursor,
} from '../../static/js/editor/commands.js';
import { actionFor } from '../../static/js/editor/keyboard.js';
import { indexDoc } from '../../static/js/editor/lookup.js';
import { schedule } from '../../static/js/playback/player.js';
import { applyEdit, checkInvariants, newDocument } from '../../static/js/score/index.js';
import { Fraction, ZERO } from '../../static/js/score/fraction.js';

const jsDir = new URL('../../static/js/', import.meta.url);
const TRIPLET = { type: 8, tuplet: [3, 2] };

function counter(prefix) {
  let n = 0;
  return { next: () => `${prefix}${(n += 1)}` };
}

/** Note input from the score's start: writes ``[step, dur]`` items in turn; returns the ops. */
function enter(doc, items, ids = counter('x')) {
  let state = { selection: [], cursor: null, dur: null };
  state.cursor = cursorFromSelection(indexDoc(doc), state);
  const writes = [];
  for (const [step, dur] of items) {
    const result = writeAtCursor(indexDoc(doc), { ...state, dur }, ids, step);
    applyEdit(doc, result.ops);
    writes.push(result.ops.at(-1));
    state = { ...state, cursor: result.cursor };
  }
  return writes;
}

test('editor and playback take no arithmetic from the renderer (only the Engraver and printing)', () => {
  const files = [
    ...readdirSync(new URL('editor/', jsDir)).map((f) => `editor/${f}`),
    'playback/player.js',
    'app/editor.js',
  ];
  for (const file of files) {
    const text = readFileSync(new URL(file, jsDir), 'utf8');
    for (const [, spec] of text.matchAll(/^import[^'"]*from ['"]([^'"]+)['"]/gm)) {
      if (spec.includes('render/')) {
        assert.ok(['../render/engraver.js', '../render/print.js'].includes(spec), `${file} imports ${spec}`);
      }
    }
  }
});

test('triplets entered at the cursor land on exact offsets and advance across the barline', () => {
  const doc = newDocument({ measures: 2, time: [2, 4] });
  const writes = enter(doc, [...'CDEFGAB'].map((step) => [step, TRIPLET]));
  assert.deepEqual(
    writes.map((op) => `${op.measure}@${op.offset}`),
    ['m1@0', 'm1@1/12', 'm1@1/6', 'm1@1/4', 'm1@1/3', 'm1@5/12', 'm2@0'],
  );
  assert.deepEqual(checkInvariants(doc), []);
});

test('a note value longer than the room left in the bar shrinks to fit it', () => {
  const doc = newDocument({ measures: 1, time: [2, 4] });
  const [, second] = enter(doc, [['C', { type: 4, dots: 1 }], ['D', { type: 2 }]]);
  assert.equal(second.offset, '3/8');
  assert.deepEqual(second.event.dur, { type: 8 });
});

test('the index gives each event its exact offset: input restarts from a selected triplet', () => {
  const doc = newDocument({ measures: 1, time: [2, 4] });
  const writes = enter(doc, [...'CDE'].map((step) => [step, TRIPLET]));
  const index = indexDoc(doc);
  const state = { selection: [writes[2].event.id], dur: TRIPLET };
  const cursor = cursorFromSelection(index, state);
  const again = writeAtCursor(index, { ...state, cursor }, counter('y'), 'F');
  assert.equal(again.ops.at(-1).offset, '1/6');
});

test('deleting a chord symbol at a triplet offset addresses that exact offset', () => {
  const doc = newDocument({ measures: 1 });
  const add = { op: 'set_chord_symbol', part: 'p1', measure: 'm1', offset: '1/3', id: 'h1', symbol: 'G7' };
  applyEdit(doc, [add]);
  const { ops } = deleteSelection(indexDoc(doc), { selection: ['h1'] });
  assert.deepEqual(ops, [{ op: 'set_chord_symbol', part: 'p1', measure: 'm1', offset: '1/3', symbol: null }]);
});

test('paste carries on into the next bar when the clipboard runs past the barline', () => {
  const doc = newDocument({ measures: 2, time: [2, 4] });
  const writes = enter(doc, [...'CDEFGA'].map((step) => [step, TRIPLET]));
  const first = indexDoc(doc);
  const clipboard = copySelection(first, { selection: writes.slice(0, 3).map((op) => op.event.id) });
  const { ops } = paste(first, { selection: [writes[4].event.id] }, counter('z'), clipboard);
  assert.deepEqual(
    ops.map((op) => `${op.measure}@${op.offset}`),
    ['m1@1/3', 'm1@5/12', 'm2@0'],
  );
  applyEdit(doc, ops);
  assert.deepEqual(checkInvariants(doc), []);
});

test('playback times follow the exact durations and the tempo map', () => {
  const doc = newDocument({ measures: 2, time: [3, 8], tempo: 60 });
  enter(doc, [['C', TRIPLET], ['D', TRIPLET], ['E', TRIPLET], ['F', { type: 8 }]]);
  applyEdit(doc, [{ op: 'set_tempo', measure: 'm2', tempo: 120 }]);
  const { notes, total } = schedule(doc);
  const sounding = notes.filter((n) => n.midis.length);
  // 60 bpm: a whole note lasts 4 s, a triplet eighth 1/3 s; the bar of 3/8 lasts 1.5 s.
  assert.deepEqual(
    sounding.map((n) => [Number(n.time.toFixed(6)), Number(n.dur.toFixed(6))]),
    [[0, 0.333333], [0.333333, 0.333333], [0.666667, 0.333333], [1, 0.5]],
  );
  assert.equal(total, 1.5 + 0.75);
});

/** Two staves, as a piano's hands: right hand treble, left hand bass. */
function pianoHands() {
  return newDocument({
    parts: [
      { id: 'rh', name: 'Right hand', clef: 'treble' },
      { id: 'lh', name: 'Left hand', clef: 'bass' },
    ],
    measures: 2,
  });
}

/** Types ``step`` at ``cursor`` the way the editor does, carrying what a command returns for
 * the next keystroke (the editor keeps it in its state). */
function typer(doc) {
  let state = { selection: [], dur: { type: 4 } };
  return (cursor, step) => {
    const ids = counter(`${cursor.part}.${cursor.measure}.${cursor.offset}.`.replace('/', '_'));
    const { ops, select, ...carried } = writeAtCursor(indexDoc(doc), { ...state, cursor }, ids, step);
    applyEdit(doc, ops);
    state = { ...state, ...carried, selection: select };
    return ops.at(-1).event.notes[0];
  };
}

test('the octave follows the staff being entered, not the last note typed in another part', () => {
  const doc = pianoHands();
  const type = typer(doc);
  const at = (part, offset = ZERO) => ({ part, measure: 'm1', voice: '1', offset });
  const c3 = type(at('lh'), 'C');
  assert.deepEqual([c3.step, c3.octave], ['C', 3], 'a bass-clef C sits in octave 3');
  // After the left-hand C3, an E in the right hand lands in the treble staff, not E3.
  const e = type(at('rh'), 'E');
  assert.deepEqual([e.step, e.octave], ['E', 4]);
  const g = type(at('rh', new Fraction(1, 4)), 'G');
  assert.equal(g.octave, 4, 'G nearest E4 is G4');
  // Back in the left hand, the letter lands near the left hand's C3, not the right's G4.
  const a = type(at('lh', new Fraction(1, 4)), 'A');
  assert.deepEqual([a.step, a.octave], ['A', 2], 'A nearest C3 is A2');
});

test('replacing a letter uses the octave of the note it replaces, when given', () => {
  const doc = pianoHands();
  const cursor = { part: 'rh', measure: 'm1', voice: '1', offset: ZERO };
  const result = writeAtCursor(indexDoc(doc), { selection: [], cursor, dur: { type: 4 } }, counter('n'), 'B', { near: 84 });
  assert.equal(result.ops.at(-1).event.notes[0].octave, 5, 'B nearest C6 is B5');
});

/** Two parts of three bars in D major, a quarter note on every beat of each. */
function twoPartsInD() {
  const doc = newDocument({ parts: [{ id: 'fl' }, { id: 'vc', clef: 'bass' }], measures: 3, key: 2 });
  const type = typer(doc);
  for (const part of ['fl', 'vc']) {
    for (const measure of ['m1', 'm2', 'm3']) {
      for (let beat = 0; beat < 4; beat++) type({ part, measure, voice: '1', offset: new Fraction(beat, 4) }, 'D');
    }
  }
  return doc;
}

const UP_A_TONE = [1, 2];

function keys(doc) {
  return doc.measures.map((m) => m.key);
}

test('transposing the whole score moves its key signature with the notes', () => {
  const doc = twoPartsInD();
  const result = transposeBy(indexDoc(doc), { selection: [] }, ...UP_A_TONE);
  applyEdit(doc, result.ops);
  assert.deepEqual(keys(doc), [4, undefined, undefined], 'D major up a tone is E major');
  const first = doc.parts[0].bars.m1.voices['1'][0].notes[0];
  assert.deepEqual([first.step, first.alter], ['E', 0]);
  checkInvariants(doc);
});

test('transposing whole bars in every part changes their key and keeps the key after them', () => {
  const doc = twoPartsInD();
  const index = indexDoc(doc);
  const bar2 = [...index.events.entries()].filter(([, info]) => info.measure === 'm2').map(([id]) => id);
  applyEdit(doc, transposeBy(index, { selection: bar2 }, ...UP_A_TONE).ops);
  assert.deepEqual(keys(doc), [2, 4, 2]);
});

test('transposing one part of several leaves the shared key signature alone', () => {
  const doc = twoPartsInD();
  const index = indexDoc(doc);
  const flute = [...index.events.entries()].filter(([, info]) => info.part === 'fl').map(([id]) => id);
  const result = transposeBy(index, { selection: flute }, ...UP_A_TONE);
  assert.deepEqual(result.ops.map((op) => op.op), ['transpose']);
});

test('a key past seven accidentals is spelled enharmonically', () => {
  const doc = newDocument({ measures: 1, key: 7 });
  const result = transposeBy(indexDoc(doc), { selection: [] }, ...UP_A_TONE);
  // A score of rests has no notes to move: nothing to do.
  assert.equal(result, null);
  const withNote = twoPartsInD();
  applyEdit(withNote, [{ op: 'set_key', measure: 'm1', key: 7 }]);
  applyEdit(withNote, transposeBy(indexDoc(withNote), { selection: [] }, ...UP_A_TONE).ops);
  assert.equal(withNote.measures[0].key, -3, 'C# major up a tone is D# major, written E-flat major');
});

test('key signatures are offered by name, major and relative minor, flats to sharps', async () => {
  const { keyName, keyOptions } = await import('../../static/js/editor/pitch.js');
  assert.equal(keyName(0), 'C major · A minor (no sharps or flats)');
  assert.equal(keyName(-3), 'E♭ major · C minor (3♭)');
  assert.equal(keyName(6), 'F♯ major · D♯ minor (6♯)');
  assert.deepEqual(keyOptions().map(([k]) => k), Array.from({ length: 15 }, (_, i) => i - 7));
});

test('Shift+S/V/N/O are articulations; plain N and Shift+letters A-G keep their meaning', () => {
  const key = (k, extra = {}) => actionFor({ key: k, code: '', shiftKey: false, ...extra });
  assert.deepEqual(key('S', { shiftKey: true }), ['mark', 'staccato']);
  assert.deepEqual(key('V', { shiftKey: true }), ['mark', 'accent']);
  assert.deepEqual(key('N', { shiftKey: true }), ['mark', 'tenuto']);
  assert.deepEqual(key('O', { shiftKey: true }), ['mark', 'marcato']);
  assert.deepEqual(key('n'), ['note-input']);
  assert.deepEqual(key('E', { shiftKey: true }), ['chord-add', 'E']);
});

test('a mark toggles on the selected notes, skips rests, and a fermata also takes rests', () => {
  const doc = newDocument({ measures: 1 });
  const [first] = enter(doc, [['C', { type: 4 }], ['D', { type: 4 }]]);
  const rest = doc.parts[0].bars.m1.voices['1'][2].id;
  const state = { selection: [first.event.id, rest] };
  const on = toggleMark(indexDoc(doc), state, 'staccato');
  assert.deepEqual(on.ops, [{ op: 'set_mark', event: first.event.id, mark: 'staccato', value: true }]);
  applyEdit(doc, on.ops);
  const off = toggleMark(indexDoc(doc), state, 'staccato');
  assert.deepEqual(off.ops.map((o) => o.value), [null]);
  const fermata = toggleMark(indexDoc(doc), state, 'fermata');
  assert.deepEqual(fermata.ops.map((o) => o.event), [first.event.id, rest]);
  applyEdit(doc, fermata.ops);
  assert.deepEqual(checkInvariants(doc), []);
  assert.equal(toggleMark(indexDoc(doc), { selection: [rest] }, 'accent'), null);
  // Tremolo strokes are the value: two strokes over a note with none sets 2, not a toggle off.
  assert.equal(toggleMark(indexDoc(doc), state, 'tremolo', 2).ops[0].value, 2);
});

test('playback shortens a staccato and a staccatissimo without moving what follows', () => {
  const doc = newDocument({ measures: 1, tempo: 60 });
  const writes = enter(doc, [['C', { type: 4 }], ['D', { type: 4 }], ['E', { type: 4 }]]);
  applyEdit(doc, [
    { op: 'set_mark', event: writes[0].event.id, mark: 'staccato', value: true },
    { op: 'set_mark', event: writes[1].event.id, mark: 'staccatissimo', value: true },
  ]);
  const sounding = schedule(doc).notes.filter((n) => n.midis.length);
  assert.deepEqual(sounding.map((n) => [n.time, n.dur]), [[0, 0.5], [1, 0.25], [2, 1]]);
});

test('S, < and > are slur and hairpins; a spanner runs over the selection or to the next note', () => {
  const key = (k) => actionFor({ key: k, code: '', shiftKey: false });
  assert.deepEqual(key('s'), ['spanner', 'slur']);
  assert.deepEqual(key('<'), ['spanner', 'crescendo']);
  assert.deepEqual(key('>'), ['spanner', 'diminuendo']);
  const doc = newDocument({ measures: 2 });
  const writes = enter(doc, [['C', { type: 2 }], ['D', { type: 2 }], ['E', { type: 2 }]]);
  const [a, b, c] = writes.map((w) => w.event.id);
  const ids = counter('s');
  // Selected out of order and across the barline: from the first to the last in time.
  const slur = addSpanner(indexDoc(doc), { selection: [c, a] }, ids, 'slur');
  assert.deepEqual(slur.ops, [
    { op: 'set_spanner', spanner: { id: 's1', kind: 'slur', start: a, end: c } },
  ]);
  applyEdit(doc, slur.ops);
  // One note: to the next one; the same slur again takes it off.
  const hairpin = addSpanner(indexDoc(doc), { selection: [b] }, ids, 'crescendo');
  assert.deepEqual(hairpin.ops[0].spanner, { id: 's2', kind: 'crescendo', start: b, end: c });
  const off = addSpanner(indexDoc(doc), { selection: [a, c] }, ids, 'slur');
  assert.deepEqual(off.ops, [{ op: 'remove_spanner', id: 's1' }]);
  // The last event of the score has no next one: no slur from it alone.
  const lastRest = doc.parts[0].bars.m2.voices['1'].at(-1).id;
  assert.equal(addSpanner(indexDoc(doc), { selection: [lastRest] }, ids, 'slur'), null);
  // A selected slur is deleted with Delete.
  assert.deepEqual(deleteSelection(indexDoc(doc), { selection: ['s1'] }).ops, [
    { op: 'remove_spanner', id: 's1' },
  ]);
  assert.deepEqual(checkInvariants(doc), []);
});

test('form from the Measure menu: repeats on the selection ends, an ending over it; playback follows', () => {
  const doc = newDocument({ measures: 3, tempo: 60 });
  const writes = enter(doc, [['C', { type: 1 }], ['D', { type: 1 }], ['E', { type: 1 }]]);
  const [a, b, c] = writes.map((w) => w.event.id);
  const end = setForm(indexDoc(doc), { selection: [b, a] }, 'repeat_end', 2);
  assert.deepEqual(end.ops, [{ op: 'set_form', measure: 'm2', field: 'repeat_end', value: 2 }]);
  applyEdit(doc, end.ops);
  applyEdit(doc, setForm(indexDoc(doc), { selection: [b] }, 'ending', [1]).ops);
  applyEdit(doc, setForm(indexDoc(doc), { selection: [c] }, 'ending', [2]).ops);
  assert.deepEqual(checkInvariants(doc), []);
  // Played: C D | C E -- the repeat taken, the first ending skipped the second time.
  const played = schedule(doc).notes.filter((n) => n.midis.length);
  assert.deepEqual(played.map((n) => [n.time, n.midis[0]]), [[0, 60], [4, 62], [8, 60], [12, 64]]);
  // The same again takes it off.
  assert.equal(setForm(indexDoc(doc), { selection: [b] }, 'repeat_end', 2).ops[0].value, null);
});
