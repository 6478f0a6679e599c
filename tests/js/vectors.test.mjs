// Replays the shared vectors (tests/vectors/*.json, written by tests/vectors/generate.py from
// the Python reference) through the JS mirror: same documents, inverses, skips and errors.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';

import { checkInvariants } from '../../static/js/score/model.js';
import { ScoreError, applyEdit, invert } from '../../static/js/score/ops.js';

const here = new URL('../vectors/', import.meta.url);
const load = (name) => JSON.parse(readFileSync(new URL(name, here), 'utf8'));
const copy = (x) => JSON.parse(JSON.stringify(x));

// Python quotes its own exception in these messages; only the code and index must agree.
const pythonSpecific = (message) => message.includes(' is malformed: ');

export function replay(testCase) {
  const doc = copy(testCase.start);
  const inverses = [];
  testCase.edits.forEach((ops, i) => {
    const where = `${testCase.name}: edit ${i}`;
    const before = copy(doc);
    const wanted = testCase.errors[i];
    let result = null;
    try {
      result = applyEdit(doc, copy(ops));
    } catch (exc) {
      if (!(exc instanceof ScoreError)) throw exc;
      assert.ok(wanted, `${where}: JS refused (${exc.code}: ${exc.message}), Python applied it`);
      assert.equal(exc.code, wanted.code, where);
      assert.equal(exc.opIndex, wanted.op_index, `${where}: op index`);
      if (!pythonSpecific(wanted.message)) assert.equal(exc.message, wanted.message, where);
      assert.deepEqual(doc, before, `${where}: a refused edit must change nothing`);
      return;
    }
    assert.equal(wanted, null, `${where}: Python refused (${wanted && wanted.message}), JS applied it`);
    assert.deepEqual(result.inverse, testCase.inverses[i], `${where}: inverse`);
    assert.deepEqual(result.skipped, testCase.skipped[i], `${where}: skipped`);
    assert.deepEqual(checkInvariants(doc), [], `${where}: invariants`);
    inverses.push(result.inverse);
  });
  assert.deepEqual(doc, testCase.expected, `${testCase.name}: final document`);
  for (const inverse of inverses.reverse()) invert(doc, copy(inverse));
  assert.deepEqual(doc, testCase.start, `${testCase.name}: inverses restore the start`);
}

for (const file of ['hand.json', 'random.json']) {
  const cases = load(file);
  test(`${file} holds cases`, () => assert.ok(file === 'random.json' || cases.length > 100));
  for (const testCase of cases) test(`${file}: ${testCase.name}`, () => replay(testCase));
}
