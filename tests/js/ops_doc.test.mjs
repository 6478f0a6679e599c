// docs/ops.md holds for the browser's mirror too: its worked examples, applied in order with
// the JS applyEdit, give the documented inverses, skipped ops, bars and errors (the Python
// side is tests/unit/test_ops_doc.py, which also defines the block kinds).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';

import { OP_NAMES, ScoreError, applyEdit, checkInvariants, clone, newDocument } from '../../static/js/score/index.js';

const page = readFileSync(new URL('../../docs/ops.md', import.meta.url), 'utf8');

function* blocks(text) {
  for (const m of text.matchAll(/^```json([^\n]*)\n([\s\S]*?)^```$/gm)) {
    const [kind, ...rest] = m[1].trim().split(' ');
    yield { kind, arg: rest.join(' '), value: JSON.parse(m[2]) };
  }
}

test('the JS mirror has exactly the ops docs/ops.md documents', () => {
  const documented = [...page.matchAll(/^#{2,4} `([a-z_]+)`/gm)].map((m) => m[1]).sort();
  assert.deepEqual(documented, [...OP_NAMES].sort());
});

test('the worked examples of docs/ops.md apply to the JS mirror as documented', () => {
  let doc = null;
  let last = null;
  let applied = 0;
  for (const { kind, arg, value } of blocks(page)) {
    if (kind === 'document') {
      assert.deepEqual(value, newDocument({ measures: 2 }));
      doc = clone(value);
    } else if (kind === 'edit') {
      last = applyEdit(doc, value);
      assert.deepEqual(checkInvariants(doc), []);
      applied += 1;
    } else if (kind === 'refused') {
      const before = clone(doc);
      assert.throws(() => applyEdit(doc, value), (exc) => (last = exc) instanceof ScoreError);
      assert.deepEqual(doc, before);
      applied += 1;
    } else if (kind === 'inverse') {
      assert.deepEqual(last.inverse, value);
    } else if (kind === 'skipped') {
      assert.deepEqual(last.skipped, value);
    } else if (kind === 'error') {
      assert.deepEqual(last.toDict(), value);
    } else if (kind === 'bar') {
      const [partId, measure] = arg.split('/');
      assert.deepEqual(doc.parts.find((p) => p.id === partId).bars[measure], value);
    }
  }
  assert.ok(applied >= 8, `only ${applied} examples applied`);
});
