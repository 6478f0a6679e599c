// Unit tests of the JS score mirror beyond the shared vectors: module hygiene, Python
// parity helpers, and the refusals where the Python reference currently has a bug.
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { test } from 'node:test';

import { parseFraction } from '../../static/js/score/durations.js';
import { frac } from '../../static/js/score/fraction.js';
import { checkInvariants, clone, newDocument } from '../../static/js/score/index.js';
import { InvalidOp, OP_NAMES, applyEdit, invert } from '../../static/js/score/ops.js';
import { pyRepr, pyStrip } from '../../static/js/score/py.js';

const scoreDir = new URL('../../static/js/score/', import.meta.url);
const hand = JSON.parse(readFileSync(new URL('../vectors/hand.json', import.meta.url), 'utf8'));

test('score modules import only relative .js files (served as-is, no build step)', () => {
  const files = [
    ...readdirSync(scoreDir).filter((f) => f.endsWith('.js')),
    ...readdirSync(new URL('ops/', scoreDir)).map((f) => `ops/${f}`),
  ];
  assert.ok(files.length >= 10);
  for (const file of files) {
    const text = readFileSync(new URL(file, scoreDir), 'utf8');
    for (const [, spec] of text.matchAll(/^(?:import|export)[^'"]*from '([^']+)'/gm)) {
      assert.match(spec, /^\.\.?\/.*\.js$/, `${file} imports ${spec}`);
    }
    assert.doesNotMatch(text, /\b(window|document\.|require\(|process\.)/, file);
  }
});

test('newDocument builds what Python new_document builds', () => {
  const start = hand.find((c) => c.name === 'set_bar full').start;
  const parts = [{ name: 'Soprano' }, { name: 'Bass', clef: 'bass' }];
  assert.deepEqual(newDocument({ parts, measures: 2, time: [4, 4] }), start);
  assert.deepEqual(checkInvariants(start), []);
});

test('every op name has a handler and appears in the hand-written vectors', () => {
  const used = new Set(hand.flatMap((c) => c.edits.flat()).map((op) => op && op.op));
  assert.equal(OP_NAMES.length, 30); // with set_mark, set_spanner, remove_spanner, set_form
  for (const name of OP_NAMES) assert.ok(used.has(name), name);
});

test('offsets parse as server/score parse_fraction does: plain a/b only', () => {
  const cases = { '3/8': '3/8', '6/16': '3/8', 3: '3', 0: '0', '123456789/2': '123456789/2' };
  for (const [text, want] of Object.entries(cases)) {
    const value = /^\d+$/.test(text) && text !== '0' ? Number(text) : text;
    assert.equal(parseFraction(value).toString(), want, JSON.stringify(text));
  }
  const bad = ['1/0', '-1/8', ' 3/8', '3 /8', '0.375', '1e-100000000', '+3/8', '1_0/8', '', 'x'];
  bad.push('1234567890', true, 0.5, null, [3, 8], -1, 10 ** 9);
  for (const value of bad) {
    assert.throws(() => parseFraction(value), undefined, JSON.stringify(value));
  }
  // Exact beyond 2**53, as in Python: BigInt, not Number.
  assert.ok(frac(123456789, 123456790).mul(frac(123456789, 123456790)).lt(frac(1)));
});

test('Python str helpers: strip and repr', () => {
  assert.equal(pyStrip('\x1c C7 \u3000'), 'C7');
  assert.equal(pyStrip('\ufeffC'), '\ufeffC'); // not whitespace to Python
  assert.equal(pyRepr("it's"), `"it's"`);
  assert.equal(pyRepr(['a', 1, null, true, { k: 'v' }]), "['a', 1, None, True, {'k': 'v'}]");
});

function refused(doc, ops, opIndex = 0) {
  const before = clone(doc);
  assert.throws(
    () => applyEdit(doc, ops),
    (exc) => exc instanceof InvalidOp && exc.opIndex === opIndex,
  );
  assert.deepEqual(doc, before, 'a refused edit must change nothing');
  assert.deepEqual(checkInvariants(doc), []);
}

// The cases below were bugs of the Python reference, found by mirroring it and fixed in
// 2162ded and c109610; tests/unit/test_vectors.py holds the same cases for Python.

test('an id with a trailing newline is refused', () => {
  const event = { id: 'e1\n', dur: { type: 4 }, notes: [] };
  refused(newDocument(), [{ op: 'write_event', part: 'p1', measure: 'm1', offset: '0', event }]);
});

test('a set_time whose refit cannot be notated changes nothing', () => {
  const doc = newDocument({ measures: 2 });
  const ev = (id, type, dots = 0) => ({ id, dur: dots ? { type, dots } : { type }, notes: [] });
  const events = [
    ev('a', 128, 1),
    ev('b', 64, 1),
    ev('c', 128, 1),
    ev('d', 64),
    ev('e', 16),
    ev('f', 8),
    ev('g', 4),
    ev('h', 2),
  ];
  applyEdit(doc, [{ op: 'set_voice', part: 'p1', measure: 'm1', events }]);
  refused(doc, [{ op: 'set_time', measure: 'm1', time: [1, 32] }]);
});

test('a malformed insert_measures changes nothing', () => {
  const note = { id: 'n', step: [], octave: 4 };
  const bar = { voices: { 1: [{ id: 'q', dur: { type: 1 }, notes: [note] }] } };
  for (const bars of [5, true, 'p1', { p1: bar }]) {
    refused(newDocument({ measures: 2 }), [
      { op: 'insert_measures', at: 1, measures: [{ id: 'x' }, { id: 'y', bars }] },
    ]);
  }
});

test('filler rests of a refit take ids free in the whole document', () => {
  const doc = newDocument({ measures: 2 });
  const write = (id, measure, offset, type) => ({
    op: 'write_event',
    part: 'p1',
    measure,
    offset,
    event: { id, dur: { type }, notes: [] },
  });
  applyEdit(doc, [write('e1', 'm1', '1/2', 2)]);
  applyEdit(doc, [write('e1.t.r0', 'm2', '0', 4)]);
  applyEdit(doc, [{ op: 'set_time', measure: 'm1', time: [3, 4] }]);
  assert.deepEqual(checkInvariants(doc), []);
  assert.equal(doc.parts[0].bars.m1.voices['1'].at(-1).id, 'e1.t.r0~1');
  const padded = newDocument({ measures: 2 });
  applyEdit(padded, [write('m2.p1.1.p.r0', 'm1', '0', 4)]);
  applyEdit(padded, [{ op: 'set_time', measure: 'm2', time: [5, 4] }]);
  assert.deepEqual(checkInvariants(padded), []);
});

test('a new part cannot repeat an id across its own bars or its fillers', () => {
  const bar = (id) => ({ voices: { 1: [{ id, dur: { type: 1 }, notes: [] }] } });
  refused(newDocument({ measures: 2 }), [
    { op: 'add_part', part: { id: 'v', bars: { m2: bar('m1.v.r0') } } },
  ]);
  refused(newDocument({ measures: 2 }), [
    { op: 'add_part', part: { id: 'v', bars: { m1: bar('x'), m2: bar('x') } } },
  ]);
  const doc = {
    measures: [{ id: 'a', time: [4, 4], key: 0, tempo: 60 }, { id: 'b' }],
    parts: [{ id: 'p', bars: { a: bar('x'), b: bar('x') } }],
  };
  refused(newDocument(), [{ op: 'replace_document', doc }]);
});

test('the undo of a time change restores every refitted bar at once', () => {
  const doc = newDocument({ parts: [{ name: 'A' }, { name: 'B' }], measures: 2 });
  const events = [{ id: 'm2.p1.r0.t.r0', dur: { type: 1 }, notes: [] }];
  applyEdit(doc, [{ op: 'set_voice', part: 'p2', measure: 'm1', voice: '2', events }]);
  const start = clone(doc);
  const { inverse } = applyEdit(doc, [{ op: 'set_time', measure: 'm1', time: [3, 4] }]);
  assert.deepEqual(
    inverse.map((op) => op.op),
    ['set_time', 'set_bars'],
  );
  invert(doc, inverse);
  assert.deepEqual(doc, start);
  refused(doc, [{ op: 'set_time', measure: 'm1', time: [3, 4] }, { op: 'nope' }], 1);
});

test('a gap no tuplet rest can notate is refused, so every undo applies', () => {
  const doc = newDocument({ measures: 1 });
  const write = (id, offset, dur) => [
    {
      op: 'write_event',
      part: 'p1',
      measure: 'm1',
      offset,
      event: { id, dur, notes: [{ id: `n${id}`, step: 'C', octave: 4 }] },
    },
  ];
  applyEdit(doc, write('a', '13/14', { type: 8, tuplet: [7, 4] }));
  refused(doc, write('b', '1/2', { type: 16, tuplet: [5, 4] })); // would leave 3/70: 35:32
  const start = clone(doc);
  const { inverse } = applyEdit(doc, write('c', '0', { type: 4 }));
  invert(doc, inverse);
  assert.deepEqual(doc, start);
});

test('a rest shorter than a 128th is refused, not looped on', () => {
  const doc = newDocument({ measures: 1 });
  const ev = (id, type, dots = 0) => ({ id, dur: dots ? { type, dots } : { type }, notes: [] });
  const events = [ev('a', 128, 1), ev('b', 128, 1), ev('c', 128), ev('d', 32), ev('e', 16)];
  events.push(ev('f', 8), ev('g', 4), ev('h', 2));
  applyEdit(doc, [{ op: 'set_voice', part: 'p1', measure: 'm1', events }]);
  // Overwriting the dotted 128th with a 128th leaves 1/256: no rest value can fill it.
  refused(doc, [
    { op: 'write_event', part: 'p1', measure: 'm1', offset: '0', event: ev('x', 128) },
  ]);
});
