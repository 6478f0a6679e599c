// Progressive engraving: what is on screen first, then the rest in batches.
import assert from 'node:assert/strict';
import { test } from 'node:test';

// engraver.js makes a Worker only when constructed; importing it is safe in Node.
const { batches } = await import('../../static/js/render/engraver.js');

const dirty = (n) => Array.from({ length: n }, (_, key) => ({ key, mei: `m${key}` }));

test('an edit of one or two slices is one request, as before', () => {
  assert.deepEqual(batches(dirty(2), [5]).map((b) => b.map((d) => d.key)), [[0, 1]]);
  assert.deepEqual(batches([], []), []);
});

test('opening a big score: the slices on screen first, then batches in score order', () => {
  const out = batches(dirty(20), [7, 8, 9, 10]).map((b) => b.map((d) => d.key));
  assert.deepEqual(out[0], [7, 8, 9]);
  assert.deepEqual(out[1], [0, 1, 2, 3, 4, 5]);
  assert.deepEqual(out.flat().sort((a, b) => a - b), [...Array(20).keys()], 'every slice once');
  assert.ok(out.every((b) => b.length <= 6));
});

test('nothing on screen yet (a fresh page): the first systems lead', () => {
  const out = batches(dirty(10), []).map((b) => b.map((d) => d.key));
  assert.deepEqual(out, [[0, 1, 2], [3, 4, 5, 6, 7, 8], [9]]);
});
