// Screen-reader words from the document model: the note under the cursor and each change.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { beatOf, describeChange, describeEvent, spokenPitch } from '../../static/js/editor/announce.js';
import { indexDoc } from '../../static/js/editor/lookup.js';
import { Fraction } from '../../static/js/score/fraction.js';
import { applyEdit, newDocument } from '../../static/js/score/index.js';

function score() {
  const doc = newDocument({ parts: [{ id: 'vn', name: 'Violin' }, { id: 'vc', name: 'Cello', clef: 'bass' }], measures: 3, time: [3, 4] });
  applyEdit(doc, [
    { op: 'write_event', part: 'vn', measure: 'm2', voice: '1', offset: '1/4',
      event: { id: 'e1', dur: { type: 4, dots: 1 }, notes: [{ id: 'n1', step: 'C', alter: 1, octave: 5 }] } },
    { op: 'write_event', part: 'vc', measure: 'm1', voice: '1', offset: '0',
      event: { id: 'e2', dur: { type: 2 }, notes: [{ id: 'n2', step: 'B', alter: -1, octave: 2 }, { id: 'n3', step: 'F', alter: 0, octave: 3 }] } },
  ]);
  return doc;
}

test('pitches are spoken, beats counted in the time signature, triplets exactly', () => {
  assert.equal(spokenPitch({ step: 'B', alter: -1, octave: 3 }), 'B flat 3');
  assert.equal(spokenPitch({ step: 'F', alter: 2, octave: 4 }), 'F double sharp 4');
  assert.equal(beatOf(new Fraction(0), [3, 4]), '1');
  assert.equal(beatOf(new Fraction(3, 8), [3, 4]), '2 and a half');
  assert.equal(beatOf(new Fraction(1, 12), [4, 4]), '1 and a third');
  assert.equal(beatOf(new Fraction(3, 8), [6, 8]), '4');
});

test('the note under the cursor: pitch, value, measure, beat, part', () => {
  const index = indexDoc(score());
  assert.equal(describeEvent(index, 'e1'), 'C sharp 5, dotted quarter note; measure 2, beat 2, Violin');
  assert.equal(describeEvent(index, 'e2'), 'half chord B flat 2, F 3; measure 1, beat 1, Cello');
  assert.equal(describeEvent(index, 'e2', 'n3'), 'F 3, half note of a 2-note chord; measure 1, beat 1, Cello');
  const rest = index.doc.parts[0].bars.m1.voices['1'][0].id;
  assert.equal(describeEvent(index, rest), 'half rest; measure 1, beat 1, Violin');
  assert.equal(describeEvent(index, 'gone'), 'nothing selected');
});

test('a change is said with who made it and where', () => {
  const doc = score();
  const ops = [{ op: 'set_pitch', note: 'n1', step: 'D', alter: 0, octave: 5 }];
  applyEdit(doc, ops);
  assert.equal(describeChange(indexDoc(doc), ops, 'Ben'), 'Ben: measure 2, Violin changed');
});
