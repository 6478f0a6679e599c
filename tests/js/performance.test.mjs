// Playback as performed: ties held, dynamics as velocities, chord symbols sounded,
// metronome and count-in, on the timeline player.js schedules.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { beatsOf, chordPitches, performance, VELOCITY } from '../../static/js/playback/performance.js';
import { schedule } from '../../static/js/playback/player.js';
import { applyEdit, newDocument } from '../../static/js/score/index.js';

const q = (id, step, octave, extra = {}) => ({ id, dur: { type: 4 }, notes: [{ id: `${id}n`, step, alter: 0, octave, ...extra }] });

/** One part, 60 bpm (a quarter = 1 s), two bars of 4/4. */
function tune(events1, events2 = null) {
  const doc = newDocument({ measures: 2, tempo: 60 });
  const ops = [{ op: 'set_voice', part: 'p1', measure: 'm1', voice: '1', events: events1 }];
  if (events2) ops.push({ op: 'set_voice', part: 'p1', measure: 'm2', voice: '1', events: events2 });
  applyEdit(doc, ops);
  return doc;
}

test('a tied note is held over the barline, not struck again', () => {
  const doc = tune(
    [q('a', 'C', 4), q('b', 'D', 4), q('c', 'E', 4), q('d', 'G', 4, { tie: true })],
    [q('e', 'G', 4, { tie: true }), q('f', 'G', 4), q('g', 'A', 4), q('h', 'B', 4)],
  );
  const played = performance(doc, schedule(doc)).notes.filter((n) => n.midis.length);
  // G4 struck once at 3 s, held through two more beats (a chain of ties).
  assert.deepEqual(played.map((n) => [n.time, n.midis, n.durs]), [
    [0, [60], [1]], [1, [62], [1]], [2, [64], [1]], [3, [67], [3]], [6, [69], [1]], [7, [71], [1]],
  ]);
});

test('a tie to a different pitch (a mistake in the score) still strikes the new note', () => {
  const doc = tune([q('a', 'C', 4, { tie: true }), q('b', 'D', 4), q('c', 'E', 4), q('d', 'F', 4)]);
  const played = performance(doc, schedule(doc)).notes;
  assert.deepEqual(played.slice(0, 2).map((n) => n.midis), [[60], [62]]);
});

test('dynamics set the velocity from their beat on; sfz accents one note', () => {
  const doc = tune([q('a', 'C', 4), q('b', 'D', 4), q('c', 'E', 4), q('d', 'F', 4)]);
  applyEdit(doc, [
    { op: 'set_dynamic', part: 'p1', measure: 'm1', offset: '1/4', mark: 'pp', id: 'dy1' },
    { op: 'set_dynamic', part: 'p1', measure: 'm1', offset: '1/2', mark: 'sfz', id: 'dy2' },
  ]);
  const velocities = performance(doc, schedule(doc)).notes.slice(0, 4).map((n) => n.velocity);
  assert.deepEqual(velocities, [VELOCITY.mf, VELOCITY.pp, 1.0, VELOCITY.pp]);
});

test('chord symbols sound in close position until the next symbol or the barline', () => {
  assert.deepEqual(chordPitches('C'), [48, 52, 55]);
  assert.deepEqual(chordPitches('Dm7'), [50, 53, 57, 60]);
  assert.deepEqual(chordPitches('Bbmaj7'), [58, 62, 65, 69]);
  assert.deepEqual(chordPitches('G7/B'), [47, 55, 59, 62, 65]);
  assert.deepEqual(chordPitches('F#ø'), [54, 57, 60, 64]);
  assert.equal(chordPitches('H7'), null);
  assert.equal(chordPitches('Cxyz'), null);
  const doc = tune([q('a', 'C', 4), q('b', 'D', 4), q('c', 'E', 4), q('d', 'F', 4)]);
  applyEdit(doc, [
    { op: 'set_chord_symbol', part: 'p1', measure: 'm1', offset: '0', symbol: 'C', id: 'h1' },
    { op: 'set_chord_symbol', part: 'p1', measure: 'm1', offset: '1/2', symbol: 'G7', id: 'h2' },
  ]);
  const { chords } = performance(doc, schedule(doc), { chords: true });
  assert.deepEqual(chords.map((c) => [c.time, c.dur, c.midis.length]), [[0, 2, 3], [2, 2, 4]]);
});

test('the metronome counts beats (compound metres in dotted quarters) and a count-in bar', () => {
  assert.equal(beatsOf([4, 4]), 4);
  assert.equal(beatsOf([6, 8]), 2);
  assert.equal(beatsOf([3, 8]), 3);
  const doc = tune([q('a', 'C', 4), q('b', 'D', 4), q('c', 'E', 4), q('d', 'F', 4)]);
  const { clicks } = performance(doc, schedule(doc), { metronome: true, countIn: 1 });
  assert.deepEqual(clicks.map((c) => [c.time, c.strong]).slice(0, 6), [
    [-4, true], [-3, false], [-2, false], [-1, false], [0, true], [1, false],
  ]);
  assert.equal(clicks.filter((c) => !c.countIn).length, 8);
});
