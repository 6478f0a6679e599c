// The editor's undo/redo stacks (static/js/editor/undo.js) against a fake transport
// that records what would be sent: which edit each undo names, when it waits, and what
// the person is told. The real server and browser are in tests/browser/test_editor_undo.py.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { UndoHistory, describeRevert } from '../../static/js/editor/undo.js';

function history({ online = true, answers = [], confirmWait = 50 } = {}) {
  const sent = [];
  const undo = new UndoHistory({
    clientId: 'c1',
    online: () => online,
    confirmWait,
    revert: async (fields) => {
      sent.push(fields);
      const answer = answers.shift();
      return typeof answer === 'function' ? answer(fields) : answer;
    },
  });
  return { undo, sent };
}

const reverted = (seq, extra = {}) => ({ ok: true, seq, outcome: 'reverted', conflicts: [], ...extra });

test('undo names our newest confirmed edit by seq; redo names the undo edit', async () => {
  const { undo, sent } = history({ answers: [reverted(5), reverted(6), reverted(7)] });
  undo.recorded({ clientSeq: 1, ops: [] });
  undo.recorded({ clientSeq: 2, ops: [] });
  undo.confirmed(1, 3);
  undo.confirmed(2, 4);
  assert.equal(await undo.undo(), 'Undone');
  assert.equal(await undo.redo(), 'Redone');
  // The redo edit is on the undo stack now: the next undo reverts it, not edit 3.
  assert.equal(await undo.undo(), 'Undone');
  assert.deepEqual(sent, [{ seq: 4 }, { seq: 5 }, { seq: 6 }]);
  assert.deepEqual(undo.redoStack, [7]);
});

test('an undo pressed before the edit is confirmed waits for its seq', async () => {
  const { undo, sent } = history({ answers: [reverted(9)], confirmWait: 5000 });
  undo.recorded({ clientSeq: 1, ops: [] });
  const pending = undo.undo();
  await new Promise((resolve) => setTimeout(resolve, 20));
  assert.deepEqual(sent, []); // nothing sent while the edit is unconfirmed
  undo.confirmed(1, 8);
  assert.equal(await pending, 'Undone');
  assert.deepEqual(sent, [{ seq: 8 }]);
});

test('with no confirmation seen, the edit is named by our client ids (never a guessed seq)', async () => {
  const notStored = { ok: false, error: { code: 'not_stored', message: 'not stored' } };
  const { undo, sent } = history({ answers: [notStored, reverted(3)] });
  undo.recorded({ clientSeq: 4, ops: [] });
  assert.match(await undo.undo(), /not saved on the server yet/);
  assert.equal(undo.undoStack.length, 1); // still undoable
  assert.equal(await undo.undo(), 'Undone');
  assert.deepEqual(sent, [
    { client_id: 'c1', client_seq: 4 },
    { client_id: 'c1', client_seq: 4 },
  ]);
});

test('offline: nothing is sent and the edit stays undoable', async () => {
  const { undo, sent } = history({ online: false });
  undo.recorded({ clientSeq: 1, ops: [] });
  undo.confirmed(1, 1);
  assert.match(await undo.undo(), /^You are offline/);
  assert.deepEqual(sent, []);
  assert.equal(undo.undoStack.length, 1);
});

test('an edit the server refused is not undoable; a new edit empties the redo stack', async () => {
  const { undo } = history({ answers: [reverted(2)] });
  const ops = [{ op: 'set_meta', title: 'x' }];
  undo.recorded({ clientSeq: 1, ops: [] });
  undo.confirmed(1, 1);
  undo.recorded({ clientSeq: 2, ops });
  undo.refused(ops);
  assert.deepEqual(undo.undoStack.map((e) => e.clientSeq), [1]);
  await undo.undo();
  assert.deepEqual(undo.redoStack, [2]);
  undo.recorded({ clientSeq: 3, ops: [] });
  assert.deepEqual(undo.redoStack, []);
  assert.equal(await undo.redo(), 'Nothing to redo');
});

test('a redo only pushes onto the undo stack when it stored an edit', async () => {
  const already = { ok: true, seq: null, outcome: 'already_reverted', conflicts: [] };
  const { undo } = history({ answers: [reverted(2), already] });
  undo.recorded({ clientSeq: 1, ops: [] });
  undo.confirmed(1, 1);
  await undo.undo();
  assert.equal(await undo.redo(), 'That edit was already redone');
  assert.deepEqual(undo.undoStack, []);
  assert.deepEqual(undo.redoStack, []);
  assert.equal(await undo.undo(), 'Nothing of yours to undo');
});

test('no answer or a refusal keeps the edit; presses run one at a time in order', async () => {
  let release;
  const gate = new Promise((resolve) => (release = resolve));
  const { undo, sent } = history({
    answers: [async () => (await gate, null), reverted(5)],
  });
  undo.recorded({ clientSeq: 1, ops: [] });
  undo.confirmed(1, 1);
  const first = undo.undo();
  const second = undo.undo();
  await new Promise((resolve) => setTimeout(resolve, 10));
  assert.equal(sent.length, 1); // the second waits for the first
  release();
  assert.match(await first, /did not answer/);
  assert.equal(await second, 'Undone');
  assert.deepEqual(sent, [{ seq: 1 }, { seq: 1 }]);
});

test('what the person is told for each outcome', () => {
  const c = ['m. 1, Piano: the pitch of G4 was changed later by Ben; kept'];
  assert.equal(describeRevert({ outcome: 'partly_reverted', conflicts: c }, 'undo'), `Undone, except: ${c[0]}`);
  assert.equal(describeRevert({ outcome: 'kept_by_others', conflicts: c }, 'undo'), `Nothing could be undone: ${c[0]}`);
  assert.equal(describeRevert({ outcome: 'already_reverted', conflicts: [] }, 'undo'), 'That edit was already undone');
  assert.equal(describeRevert({ outcome: 'unchanged', conflicts: [] }, 'undo'), 'That edit changes nothing any more');
});

test('going offline while waiting for the confirmation sends nothing', async () => {
  let online = true;
  const sent = [];
  const undo = new UndoHistory({
    clientId: 'c1',
    online: () => online,
    confirmWait: 5000,
    revert: async (fields) => (sent.push(fields), reverted(2)),
  });
  undo.recorded({ clientSeq: 1, ops: [] });
  const pending = undo.undo();
  online = false;
  undo.confirmed(1, 1); // e.g. confirmed just before the connection dropped
  assert.match(await pending, /^You are offline/);
  assert.deepEqual(sent, []);
  assert.equal(undo.undoStack.length, 1);
});
