// The browser editor's and playback's arithmetic: exact offsets from the score mirror
// (static/js/score/), never from the renderer, so an offset the editor writes is the one
// the server computes.
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { test } from 'node:test';

import {
  copySelection,
  cursorFromSelection,
  deleteSelection,
  paste,
  toggleMark,
  writeAtCursor,
} from '../../static/js/editor/commands.js';
import { actionFor } from '../../static/js/editor/keyboard.js';
import { indexDoc } from '../../static/js/editor/lookup.js';
import { schedule } from '../../static/js/playback/player.js';
import { applyEdit, checkInvariants, newDocument } from '../../static/js/score/index.js';

const jsDir = new URL('../../static/js/', import.meta.url);
const TRIPLET = { type: 8, tuplet: [3, 2] };

function counter(prefix) {
  let n = 0;
  return { next: () => `${prefix}${(n += 1)}` };
}

/** Note input from the score's start: writes ``[step, dur]`` items in turn; returns the ops. */
function enter(doc, items, ids = counter('x')) {
  let state = { selection: [], cursor: null, dur: null, lastMidi: null };
  state.cursor = cursorFromSelection(indexDoc(doc), state);
  const writes = [];
  for (const [step, dur] of items) {
    const result = writeAtCursor(indexDoc(doc), { ...state, dur }, ids, step);
    applyEdit(doc, result.ops);
    writes.push(result.ops.at(-1));
    state = { ...state, cursor: result.cursor, lastMidi: result.lastMidi };
  }
  return writes;
}

test('editor and playback take no arithmetic from the renderer (only the Engraver class)', () => {
  const files = [
    ...readdirSync(new URL('editor/', jsDir)).map((f) => `editor/${f}`),
    'playback/player.js',
    'app/editor.js',
  ];
  for (const file of files) {
    const text = readFileSync(new URL(file, jsDir), 'utf8');
    for (const [, spec] of text.matchAll(/^import[^'"]*from ['"]([^'"]+)['"]/gm)) {
      if (spec.includes('render/')) assert.equal(spec, '../render/engraver.js', `${file} imports ${spec}`);
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
  const state = { selection: [writes[2].event.id], dur: TRIPLET, lastMidi: null };
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
