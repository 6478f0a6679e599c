// The pure collab core (static/js/sync/core.js), one transition at a time, against the
// tiny in-memory authority of tests/js/support/tiny_server.mjs (the JS score model).

import assert from 'node:assert/strict';
import { test } from 'node:test';

import { applyEdit, clone, newDocument } from '../../static/js/score/index.js';
import { CollabCore, FINAL_ERRORS, retryDelayMs } from '../../static/js/sync/core.js';
import { TinyServer } from './support/tiny_server.mjs';

function note(id, offset = '0', step = 'C', measure = 'm1') {
  return {
    op: 'write_event', part: 'p1', measure, offset,
    event: { id, dur: { type: 4 }, notes: [{ id: `${id}n`, step, octave: 4 }] },
  };
}

/** A core joined to ``server``, with a count of applyEdit calls (to see what it replays). */
function joined(server, clientId, options = {}) {
  const calls = { n: 0 };
  const core = new CollabCore({
    clientId,
    applyEdit: (doc, ops) => {
      calls.n += 1;
      return applyEdit(doc, ops);
    },
    ...options,
  });
  core.joined(server.join(null));
  return { core, calls };
}

/** Submit ``edit`` as the transport would: the server's ack, settled. */
function deliver(server, core, edit) {
  assert.equal(edit.state, 'sent');
  const ack = server.submit({ client_id: core.clientId, client_seq: edit.clientSeq, ops: edit.ops });
  return core.settle(edit, edit.attempt, ack);
}

/** Send and deliver until nothing is left to send. */
function deliverAll(server, core) {
  for (let batch = core.takeToSend(); batch.length; batch = core.takeToSend()) {
    for (const edit of batch) deliver(server, core, edit);
  }
}

function remote(server, clientId, clientSeq, ops) {
  const ack = server.submit({ client_id: clientId, client_seq: clientSeq, ops });
  assert.ok(ack.ok, JSON.stringify(ack));
  return server.log[ack.seq - 1];
}

test('a local edit shows at once, is sent, and its ack confirms it without a replay', () => {
  const server = new TinyServer();
  const { core, calls } = joined(server, 'ana');
  const view = core.doc;
  const edit = core.localEdit([note('e1')]);
  assert.equal(core.doc, view, 'the same document object: no copy');
  assert.equal(core.doc.parts[0].bars.m1.voices['1'][0].id, 'e1');
  assert.deepEqual(core.takeToSend(), [edit]);
  assert.deepEqual(core.takeToSend(), [], 'sent once');
  calls.n = 0;
  assert.equal(deliver(server, core, edit).outcome, 'ok');
  assert.equal(calls.n, 0, 'our own edit confirmed in order: nothing re-applied');
  assert.equal(core.seq, 1);
  assert.equal(edit.seq, 1);
  assert.deepEqual(core.pending, []);
  assert.deepEqual(core.doc, server.doc);
  // The broadcast of the same edit afterwards (or a duplicate of it) changes nothing.
  assert.equal(core.receive(server.log[0]), false);
  assert.equal(calls.n, 0);
});

test('a remote edit with nothing unconfirmed goes into the one document in place', () => {
  const server = new TinyServer();
  const { core, calls } = joined(server, 'ana');
  const view = core.doc;
  const wire = remote(server, 'bob', 1, [note('b1')]);
  calls.n = 0;
  assert.equal(core.receive(wire), true);
  assert.equal(core.doc, view);
  assert.equal(calls.n, 1, 'one apply, no rebuild');
  assert.deepEqual(core.doc, server.doc);
  assert.equal(core.changed, true, 'the transport is told the view changed');
});

test('remote edits under unconfirmed ones rebase lazily: one rewind + replay per read', () => {
  const server = new TinyServer();
  const { core, calls } = joined(server, 'ana');
  const view = core.doc;
  const mine = core.localEdit([note('a1', '0', 'C', 'm2')]);
  const wires = [1, 2, 3].map((k) => remote(server, 'bob', k, [note(`b${k}`, `${k - 1}/4`)]));
  calls.n = 0;
  for (const wire of wires) core.receive(wire);
  assert.equal(calls.n, 0, 'nothing applied until the view is read');
  assert.equal(core.seq, 3);
  const doc = core.doc;
  assert.equal(doc, view, 'still the same object: rewound and replayed, not cloned');
  assert.equal(calls.n, 1 + 3 + 1, 'rewind ours, apply 3 remote edits, replay ours');
  assert.deepEqual(doc.parts[0].bars.m1.voices['1'].slice(0, 3).map((e) => e.id), ['b1', 'b2', 'b3']);
  assert.equal(doc.parts[0].bars.m2.voices['1'][0].id, 'a1');
  core.takeToSend();
  deliver(server, core, mine);
  assert.deepEqual(core.doc, server.doc);
  assert.deepEqual(core.pending, []);
});

test('early edits wait in the buffer, the gap is reported, duplicates are ignored', () => {
  const server = new TinyServer();
  const { core } = joined(server, 'ana');
  const wires = [1, 2, 3].map((k) => remote(server, 'bob', k, [note(`b${k}`, `${k - 1}/4`)]));
  assert.equal(core.receive(wires[2]), false);
  assert.deepEqual(core.gap(), [1, 2]);
  assert.equal(core.receive(wires[1]), false);
  assert.deepEqual(core.gap(), [1, 1]);
  assert.equal(core.seq, 0);
  assert.equal(core.receive(wires[0]), true);
  assert.equal(core.seq, 3);
  assert.equal(core.gap(), null);
  for (const wire of wires) assert.equal(core.receive(wire), false);
  assert.deepEqual(core.doc, server.doc);
});

test('an edit arriving before its turn waits while ours stay on top', () => {
  const server = new TinyServer();
  const { core } = joined(server, 'ana');
  core.localEdit([{ op: 'set_meta', title: 'Mine' }]);
  remote(server, 'bob', 1, [note('b1')]);
  remote(server, 'bob', 2, [{ op: 'set_meta', composer: 'Bob' }]);
  core.receive(server.log[1]);
  assert.equal(core.doc.composer, '', 'seq 2 is not applied before seq 1');
  core.receive(server.log[0]);
  assert.equal(core.doc.composer, 'Bob');
  assert.equal(core.doc.title, 'Mine');
});

test('a lost ack: after the rejoin the log confirms the edit and nothing is resent', () => {
  const server = new TinyServer();
  const { core } = joined(server, 'ana');
  const edit = core.localEdit([note('e1')]);
  core.takeToSend();
  server.submit({ client_id: 'ana', client_seq: edit.clientSeq, ops: edit.ops }); // ack lost
  core.disconnected();
  assert.equal(edit.state, 'queued');
  assert.deepEqual(core.takeToSend(), [], 'offline: nothing goes out');
  core.joined(server.join(core.seq));
  assert.deepEqual(core.pending, []);
  assert.equal(edit.seq, 1);
  assert.deepEqual(core.takeToSend(), []);
  assert.deepEqual(core.doc, server.doc);
});

test('a lost ack and a snapshot rejoin: the resend has the same ids and is deduplicated', () => {
  const server = new TinyServer();
  const { core } = joined(server, 'ana');
  const edit = core.localEdit([note('e1')]);
  const [first] = core.takeToSend();
  const payload = { client_id: 'ana', client_seq: first.clientSeq, ops: clone(first.ops) };
  server.submit(payload); // stored, ack lost
  core.disconnected();
  core.joined(server.join(null)); // a snapshot that already holds it
  const [again] = core.takeToSend();
  assert.equal(again, edit);
  assert.equal(again.attempt, 2);
  const ack = server.submit({ client_id: 'ana', client_seq: again.clientSeq, ops: again.ops });
  assert.equal(ack.duplicate, true, 'same (client_id, client_seq): stored once');
  assert.deepEqual(again.ops, payload.ops);
  assert.equal(core.settle(again, again.attempt, ack).outcome, 'ok');
  assert.deepEqual(core.pending, []);
  assert.equal(server.head, 1);
  assert.deepEqual(core.doc, server.doc);
});

test('server_error keeps the edit and retries it, with the same ids, after the timer', () => {
  const server = new TinyServer();
  const { core } = joined(server, 'ana');
  const edit = core.localEdit([note('e1')]);
  core.takeToSend();
  const refusal = { ok: false, error: { code: 'server_error', message: 'database is locked' } };
  const result = core.settle(edit, edit.attempt, refusal);
  assert.equal(result.outcome, 'retry');
  assert.ok(result.retryAfterMs >= 250);
  assert.deepEqual(core.pending, [edit]);
  assert.equal(core.doc.parts[0].bars.m1.voices['1'][0].id, 'e1', 'still shown');
  assert.deepEqual(core.takeToSend(), [], 'paused until the retry timer');
  core.resume();
  const [again] = core.takeToSend();
  assert.equal(again, edit);
  assert.equal(again.clientSeq, 1);
  assert.equal(deliver(server, core, again).outcome, 'ok');
  assert.deepEqual(core.pending, []);
  assert.deepEqual(core.doc, server.doc);
  // Backoff grows with failures in a row; rate_limited waits what the server says.
  assert.ok(retryDelayMs({ code: 'server_error' }, 3) > retryDelayMs({ code: 'server_error' }, 1));
  assert.equal(retryDelayMs({ code: 'rate_limited', retry_after: 1.5 }, 1), 1500);
});

test('retryable codes keep the edit; each final code drops exactly that edit', () => {
  for (const code of ['server_error', 'rate_limited', 'not_joined', 'no_ack', 'something_new']) {
    const server = new TinyServer();
    const { core } = joined(server, 'ana');
    const edit = core.localEdit([note('e1')]);
    core.takeToSend();
    assert.equal(core.settle(edit, 1, { ok: false, error: { code } }).outcome, 'retry', code);
    assert.deepEqual(core.pending, [edit], code);
  }
  assert.deepEqual(
    [...FINAL_ERRORS].sort(),
    ['bad_request', 'client_seq_reused', 'forbidden', 'invalid_op', 'not_found', 'payload_too_large'],
  );
  for (const code of FINAL_ERRORS) {
    const server = new TinyServer();
    const { core } = joined(server, 'ana');
    const first = core.localEdit([note('e1', '0')]);
    const doomed = core.localEdit([note('e2', '1/4')]);
    const last = core.localEdit([note('e3', '1/2')]);
    core.takeToSend();
    deliver(server, core, first);
    const result = core.settle(doomed, 1, { ok: false, error: { code, message: 'no' } });
    assert.equal(result.outcome, 'dropped', code);
    assert.equal(result.error.code, code);
    assert.deepEqual(core.pending, [last], code);
    deliver(server, core, last);
    const ids = core.doc.parts[0].bars.m1.voices['1'].map((e) => e.id);
    assert.ok(ids.includes('e1') && ids.includes('e3') && !ids.includes('e2'), `${code}: ${ids}`);
    assert.deepEqual(core.doc, server.doc, code);
  }
});

test('a final refusal drops that edit and rebases the ones after it on the rest', () => {
  const server = new TinyServer();
  const { core } = joined(server, 'ana');
  const a = core.localEdit([note('e1')]);
  const doomed = core.localEdit([{ op: 'add_note', event: 'e1', note: { id: 'x', step: 'E', octave: 4 } }]);
  const after = core.localEdit([{ op: 'set_pitch', note: 'x', step: 'G', octave: 4 }]);
  const later = core.localEdit([{ op: 'set_meta', title: 'Kept' }]);
  core.takeToSend();
  deliver(server, core, a);
  assert.equal(core.settle(doomed, 1, { ok: false, error: { code: 'invalid_op' } }).outcome, 'dropped');
  // The edit that built on it finds no target in the rebased view: a no-op there (and at
  // the server); the edits after it stay.
  assert.equal(core.doc.title, 'Kept');
  assert.deepEqual(after.inverse, []);
  assert.deepEqual(core.doc.parts[0].bars.m1.voices['1'][0].notes.map((n) => n.id), ['e1n']);
  assert.equal(deliver(server, core, after).outcome, 'ok'); // the server skips its op
  deliver(server, core, later);
  assert.deepEqual(core.pending, []);
  assert.deepEqual(core.doc, server.doc);
});

test('at most maxInFlight submits wait for an ack; a long offline queue drains in that bound', () => {
  const server = new TinyServer();
  const { core } = joined(server, 'ana', { maxInFlight: 3 });
  core.disconnected();
  const edits = [];
  for (let k = 0; k < 20; k += 1) edits.push(core.localEdit([{ op: 'set_meta', title: `t${k}` }]));
  assert.deepEqual(core.takeToSend(), []);
  core.joined(server.join(core.seq));
  const wire = core.takeToSend(); // submits awaiting their ack, in send order
  const sentOrder = wire.map((e) => e.clientSeq);
  let most = 0;
  while (wire.length) {
    most = Math.max(most, core.inFlight);
    assert.ok(core.inFlight <= 3);
    deliver(server, core, wire.shift()); // one ack frees one slot
    const more = core.takeToSend();
    assert.ok(more.length <= 1);
    wire.push(...more);
    sentOrder.push(...more.map((e) => e.clientSeq));
  }
  assert.equal(most, 3);
  assert.deepEqual(sentOrder, edits.map((e) => e.clientSeq), 'oldest first, each once');
  assert.equal(server.head, 20);
  assert.deepEqual(core.pending, []);
  assert.equal(core.doc.title, 't19');
});

test('after a retryable refusal nothing overtakes the refused edit again', () => {
  const server = new TinyServer();
  const { core } = joined(server, 'ana', { maxInFlight: 4 });
  const edits = [0, 1, 2, 3, 4, 5].map((k) => core.localEdit([{ op: 'set_meta', title: `t${k}` }]));
  const sent = core.takeToSend();
  assert.equal(sent.length, 4);
  core.settle(edits[0], 1, { ok: false, error: { code: 'rate_limited', retry_after: 0.1 } });
  for (const edit of sent.slice(1)) deliver(server, core, edit); // already on the wire
  core.resume();
  assert.deepEqual(core.takeToSend(), [edits[0]], 'the refused one alone');
  assert.deepEqual(core.takeToSend(), []);
  deliver(server, core, edits[0]);
  assert.deepEqual(core.takeToSend(), [edits[4], edits[5]], 'the window opens again');
});

test('an edit that overtook a refused one and found its target missing is sent again after it', () => {
  const server = new TinyServer();
  const { core } = joined(server, 'ana');
  const write = core.localEdit([note('e1')]);
  const raise = core.localEdit([{ op: 'set_pitch', note: 'e1n', step: 'D', octave: 4 }]);
  core.takeToSend();
  // The database hiccups on the note; the pitch change behind it is run without it.
  core.settle(write, 1, { ok: false, error: { code: 'server_error' } });
  const ack = server.submit({ client_id: 'ana', client_seq: raise.clientSeq, ops: raise.ops });
  assert.equal(ack.skipped.length, 1, 'stored as a no-op');
  core.settle(raise, 1, ack);
  assert.equal(core.doc.parts[0].bars.m1.voices['1'][0].notes[0].step, 'D', 'the user still sees D');
  core.resume();
  deliverAll(server, core);
  assert.deepEqual(core.pending, []);
  assert.equal(server.doc.parts[0].bars.m1.voices['1'][0].notes[0].step, 'D', 'not lost');
  assert.deepEqual(core.doc, server.doc);
});

test('the overtaking edit is repaired when its broadcast arrives before its ack', () => {
  // The server tells the room (the sender included) before it answers the submit, so the
  // edit can be confirmed by its broadcast first; the skipped ops travel in both.
  const server = new TinyServer();
  const { core } = joined(server, 'ana');
  const write = core.localEdit([note('e1')]);
  const raise = core.localEdit([{ op: 'set_pitch', note: 'e1n', step: 'D', octave: 4 }]);
  core.takeToSend();
  core.settle(write, 1, { ok: false, error: { code: 'rate_limited', retry_after: 0.05 } });
  const ack = server.submit({ client_id: 'ana', client_seq: raise.clientSeq, ops: raise.ops });
  assert.equal(ack.skipped.length, 1, 'stored as a no-op');
  core.receive(server.log[ack.seq - 1]); // the broadcast
  core.settle(raise, 1, ack); // then the ack
  core.resume();
  deliverAll(server, core);
  assert.deepEqual(core.pending, []);
  assert.equal(server.doc.parts[0].bars.m1.voices['1'][0].notes[0].step, 'D', 'not lost');
  assert.equal(server.log.length, 3, 'repaired once: the write, the no-op, the pitch again');
  assert.deepEqual(core.doc, server.doc);
});

test('an invalid edit behind a refused one is retried after it, not dropped', () => {
  const server = new TinyServer();
  const { core } = joined(server, 'ana');
  const first = core.localEdit([note('e1')]);
  const chord = core.localEdit([{ op: 'add_note', event: 'e1', note: { id: 'x', step: 'E', octave: 4 } }]);
  core.takeToSend();
  core.settle(first, 1, { ok: false, error: { code: 'server_error' } });
  // Run without ``first``, an edit that depends on it can be refused (an add_note into a
  // missing event is skipped instead, but e.g. a write over a bar it reshaped is refused).
  const result = core.settle(chord, 1, { ok: false, error: { code: 'invalid_op', message: 'x' } });
  assert.equal(result.outcome, 'retry');
  assert.deepEqual(core.pending, [first, chord]);
  core.resume();
  assert.deepEqual(core.takeToSend(), [first], 'oldest first');
  deliver(server, core, first);
  assert.deepEqual(core.takeToSend(), [chord]);
  // Refused again now that nothing of ours is missing: that is final.
  assert.equal(core.settle(chord, 2, { ok: false, error: { code: 'invalid_op' } }).outcome, 'dropped');
  assert.deepEqual(core.pending, []);
});

test('acks of an attempt the connection lost are stale; a late ok still counts', () => {
  const server = new TinyServer();
  const { core } = joined(server, 'ana');
  const edit = core.localEdit([note('e1')]);
  core.takeToSend();
  core.disconnected();
  assert.equal(core.settle(edit, 1, { ok: false, error: { code: 'no_ack' } }).outcome, 'stale');
  assert.equal(core.paused, false);
  core.joined(server.join(core.seq));
  core.takeToSend();
  assert.equal(core.settle(edit, 1, { ok: false, error: { code: 'server_error' } }).outcome, 'stale');
  assert.equal(deliver(server, core, edit).outcome, 'ok');
  assert.deepEqual(core.pending, []);
});

test('a reused id refused by the server drops the edit and says why', () => {
  const server = new TinyServer();
  server.submit({ client_id: 'ana', client_seq: 1, ops: [{ op: 'set_meta', title: 'Old tab' }] });
  const { core } = joined(server, 'ana'); // a second page that picked the same client id
  const edit = core.localEdit([{ op: 'set_meta', title: 'New tab' }]);
  core.takeToSend();
  const result = deliver(server, core, edit);
  assert.equal(result.outcome, 'dropped');
  assert.equal(result.error.code, 'client_seq_reused');
  assert.equal(core.doc.title, 'Old tab');
});

test('a snapshot reset keeps unconfirmed edits and replays them on it', () => {
  const server = new TinyServer();
  const { core } = joined(server, 'ana');
  core.disconnected();
  core.localEdit([note('a1', '0', 'C', 'm2')]);
  for (let k = 1; k <= 3; k += 1) remote(server, 'bob', k, [note(`b${k}`, `${k - 1}/4`)]);
  core.receive(server.log[2]); // an early one, held by the snapshot: dropped from the buffer
  core.joined(server.join(null));
  assert.equal(core.seq, 3);
  assert.equal(core.buffer.size, 0);
  assert.equal(core.doc.parts[0].bars.m2.voices['1'][0].id, 'a1');
  assert.equal(core.doc.parts[0].bars.m1.voices['1'][2].id, 'b3');
});

test('a confirmed edit that does not apply locally asks for a snapshot', () => {
  const server = new TinyServer();
  const { core } = joined(server, 'ana');
  core.receive({ seq: 1, client_id: 'bob', client_seq: 1, ops: [{ op: 'no_such_op' }] });
  assert.equal(core.needsSnapshot, true);
  assert.equal(core.errors.length, 1);
  assert.deepEqual(core.takeToSend(), []);
  core.joined(server.join(null));
  assert.equal(core.needsSnapshot, false);
});

test('a no-op edit is not queued; an edit that does not apply changes nothing', () => {
  const server = new TinyServer(newDocument({ title: 'Same' }));
  const { core } = joined(server, 'ana');
  assert.equal(core.localEdit([{ op: 'set_pitch', note: 'gone', step: 'D', octave: 4 }]), null);
  const before = clone(core.doc);
  assert.throws(() => core.localEdit([note('e1'), { op: 'set_pitch', note: 'e1n', step: 'H' }]));
  assert.deepEqual(core.doc, before);
  assert.deepEqual(core.pending, []);
});
