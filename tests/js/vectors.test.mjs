// Replays the shared vectors (tests/vectors/*.json, written by tests/vectors/generate.py from
// the Python reference) through the JS mirror: same documents, inverses, skips and errors.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { test } from 'node:test';

import { checkInvariants } from '../../static/js/score/model.js';
import { ScoreError, applyEdit, invert } from '../../static/js/score/ops.js';

// TUTTI_VECTORS_DIR: replay another set, e.g. a long fuzz written by generate.py --out DIR.
const here = process.env.TUTTI_VECTORS_DIR
  ? pathToFileURL(`${process.env.TUTTI_VECTORS_DIR}/`)
  : new URL('../vectors/', import.meta.url);
const load = (name) => JSON.parse(readFileSync(new URL(name, here), 'utf8'));
const copy = (x) => JSON.parse(JSON.stringify(x));

// These messages quote a Python exception (its text or repr): only code and index must agree.
const pythonSpecific = (message) =>
  / cannot be applied: /.test(message) || /\b[A-Z][A-Za-z]*Error\(/.test(message);

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
    assert.equal(
      wanted,
      null,
      `${where}: Python refused (${wanted && wanted.message}), JS applied it`,
    );
    assert.deepEqual(result.inverse, testCase.inverses[i], `${where}: inverse`);
    assert.deepEqual(result.skipped, testCase.skipped[i], `${where}: skipped`);
    assert.deepEqual(checkInvariants(doc), [], `${where}: invariants`);
    inverses.push(result.inverse);
  });
  assert.deepEqual(doc, testCase.expected, `${testCase.name}: final document`);
  for (const inverse of inverses.reverse()) invert(doc, copy(inverse));
  assert.deepEqual(doc, testCase.start, `${testCase.name}: inverses restore the start`);
}

const files = ['hand.json', 'random.json'].filter((f) => existsSync(new URL(f, here)));
test('vectors are there to replay', () => assert.ok(files.length >= 1));
for (const file of files) {
  const cases = load(file);
  test(`${file} holds cases`, () => assert.ok(cases.length >= 100));
  for (const testCase of cases) test(`${file}: ${testCase.name}`, () => replay(testCase));
}
