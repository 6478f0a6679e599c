// Refused edits in musicians' words: no op names, ids or Python reprs on the status line.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { refusalText } from '../../static/js/editor/messages.js';

test('technical refusals get words by their code', () => {
  assert.equal(
    refusalText({ code: 'invalid_op', message: "write_event: offset '3/4' is past the end of bar 'm2.p1'" }),
    'That change no longer fits the score — someone may have changed it first',
  );
  assert.match(refusalText({ code: 'rate_limited', message: 'edit rate exceeded' }), /slowing down/);
  assert.equal(refusalText({ code: 'weird', message: "{'melody': 60}" }), 'That change could not be made');
  assert.equal(refusalText(null), 'That change could not be made');
});

test('a refusal written for people keeps its words', () => {
  assert.equal(
    refusalText({ code: 'forbidden', message: 'This copy is turned in: it is read-only until your teacher returns it' }),
    'This copy is turned in: it is read-only until your teacher returns it',
  );
  assert.match(refusalText({ code: 'forbidden', message: "user 'x' lacks role" }), /ask an owner/);
});
