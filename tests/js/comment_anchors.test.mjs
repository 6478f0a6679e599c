// The JS mirror of comment anchors (static/js/comments/anchors.js) gives the Python
// reference's answers on the shared vectors (tests/vectors/comment_anchors.json), and the
// panel's labels and selection anchors say what they should.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';

import { anchorForSelection, describe, locate } from '../../static/js/comments/anchors.js';
import { indexDoc } from '../../static/js/editor/lookup.js';

const cases = JSON.parse(readFileSync(new URL('../vectors/comment_anchors.json', import.meta.url), 'utf8'));

test('every anchor is located as the Python reference locates it', () => {
  assert.ok(cases.length >= 8);
  let detached = 0;
  for (const c of cases) {
    c.anchors.forEach((anchor, i) => {
      const where = locate(anchor, c.doc);
      assert.deepEqual(where, c.locations[i], `${c.after}: anchor ${i}`);
      if (where.state === 'detached') detached += 1;
    });
  }
  assert.ok(detached >= 5, 'the vectors cover detached anchors');
});

test('labels name the measures and part, or say detached and where it was', () => {
  const last = cases[cases.length - 1];
  const start = cases[0];
  assert.equal(describe(start.anchors[0], start.locations[0], start.doc), 'note in m. 3, Soprano');
  assert.equal(describe(start.anchors[2], start.locations[2], start.doc), 'mm. 3–4');
  assert.equal(describe(start.anchors[4], start.locations[4], start.doc), 'Alto');
  assert.equal(describe(last.anchors[0], last.locations[0], last.doc), 'detached (was m. 3)');
  assert.equal(describe(last.anchors[3], last.locations[3], last.doc), 'detached (was m. 5)');
});

test('a selected note anchors to its event; rests or several events to their measures', () => {
  const { doc } = cases[0];
  const index = indexDoc(doc);
  assert.deepEqual(anchorForSelection(index, ['e0'], null), { kind: 'event', event: 'e0' });
  assert.deepEqual(anchorForSelection(index, ['e0', 'e2'], null), {
    kind: 'measures', first: 'm3', last: 'm4', part: 'p1',
  });
  assert.deepEqual(anchorForSelection(index, ['m1.p2.r0'], null), {
    kind: 'measures', first: 'm1', last: 'm1', part: 'p2',
  });
  assert.equal(anchorForSelection(index, [], null), null);
});

test('the scope picks the measures or the part of the selection', () => {
  const index = indexDoc(cases[0].doc);
  assert.deepEqual(anchorForSelection(index, ['e0'], null, 'measures'), {
    kind: 'measures', first: 'm3', last: 'm3', part: 'p1',
  });
  assert.deepEqual(anchorForSelection(index, ['m1.p2.r0'], null, 'part'), { kind: 'part', part: 'p2' });
});
