// Mouse entry arithmetic: staff positions to pitches per clef and key, clicks to events.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { eventAtX, pitchAtStaffStep, staffStep } from '../../static/js/editor/mouse.js';
import { pitchName } from '../../static/js/editor/pitch.js';

const at = (clef, steps, key = 0) => pitchName(pitchAtStaffStep(clef, steps, key));

test('lines and spaces of each clef name their pitches; ledger lines go on', () => {
  assert.equal(at('treble', 0), 'E4');
  assert.equal(at('treble', 1), 'F4');
  assert.equal(at('treble', 8), 'F5');
  assert.equal(at('treble', -2), 'C4', 'middle C on the first ledger line below');
  assert.equal(at('bass', 0), 'G2');
  assert.equal(at('bass', 10), 'C4', 'middle C on the first ledger line above');
  assert.equal(at('alto', 4), 'C4', 'the alto clef centres middle C');
  assert.equal(at('tenor', 6), 'C4');
  assert.equal(at('treble8vb', 0), 'E3');
});

test('the key signature applies: F in D major is F sharp, B in F major is B flat', () => {
  assert.equal(at('treble', 1, 2), 'F#4');
  assert.equal(at('treble', 4, -1), 'Bb4');
});

test('a click between the lines rounds to the nearest line or space', () => {
  // Lines at 100 (top) .. 180 (bottom): 10 units per half spacing.
  assert.equal(staffStep(180, 100, 180), 0);
  assert.equal(staffStep(176, 100, 180), 0);
  assert.equal(staffStep(174, 100, 180), 1);
  assert.equal(staffStep(100, 100, 180), 8);
  assert.equal(staffStep(80, 100, 180), 10, 'above the staff: ledger positions');
});

test('a click lands on the event at or before it in time', () => {
  const boxes = [{ eventId: 'a', left: 10 }, { eventId: 'b', left: 50 }, { eventId: 'c', left: 90 }];
  assert.equal(eventAtX(boxes, 60), 'b');
  assert.equal(eventAtX(boxes, 5), 'a');
  assert.equal(eventAtX(boxes, 200), 'c');
  assert.equal(eventAtX([], 10), null);
});
