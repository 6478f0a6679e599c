// Pitch entry from a MIDI keyboard and the on-screen piano: message decoding, chords from
// keys held together, exact pitches spelled in the key at the input cursor.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { addPitchToChord, cursorFromSelection, writeAtCursor } from '../../static/js/editor/commands.js';
import { indexDoc } from '../../static/js/editor/lookup.js';
import { ChordGrouper, decode } from '../../static/js/editor/midi.js';
import { pitchName, spellInKey } from '../../static/js/editor/pitch.js';
import { applyEdit, newDocument } from '../../static/js/score/index.js';

test('note-on, note-off and note-on with velocity 0 are decoded on any channel', () => {
  assert.deepEqual(decode([0x90, 60, 100]), { type: 'on', note: 60 });
  assert.deepEqual(decode([0x93, 61, 1]), { type: 'on', note: 61 });
  assert.deepEqual(decode([0x90, 60, 0]), { type: 'off', note: 60 });
  assert.deepEqual(decode([0x8f, 62, 64]), { type: 'off', note: 62 });
  assert.equal(decode([0xb0, 64, 127]), null, 'a pedal is not a note');
  assert.equal(decode([0xf8]), null, 'clock ticks are ignored');
  assert.equal(decode(null), null);
});

test('keys pressed while another is held join its chord; a fresh press starts a new note', () => {
  const played = [];
  const keys = new ChordGrouper((midi, joins) => played.push([midi, joins]));
  keys.message([0x90, 60, 90]);
  keys.message([0x90, 64, 90]);
  keys.message([0x90, 67, 90]);
  keys.message([0x80, 60, 0]);
  keys.message([0x80, 64, 0]);
  keys.message([0x90, 72, 90]); // G still held: joins
  keys.message([0x80, 67, 0]);
  keys.message([0x80, 72, 0]);
  keys.message([0x90, 62, 90]); // all released: a new note
  assert.deepEqual(played, [[60, false], [64, true], [67, true], [72, true], [62, false]]);
});

test('exact pitches are spelled as the key signature suggests', () => {
  const name = (midi, key) => pitchName(spellInKey(midi, key));
  assert.equal(name(66, 2), 'F#4', 'D major: F sharp');
  assert.equal(name(70, -1), 'Bb4', 'F major: B flat');
  assert.equal(name(61, 0), 'C#4', 'C major: sharps');
  assert.equal(name(61, -3), 'Db4', 'E-flat major: flats');
  assert.equal(name(65, 2), 'F4', 'D major: an F natural stays F');
  assert.equal(name(60, 7), 'B#3', 'C-sharp major: B sharp, an octave lower by letter');
  assert.equal(name(71, -7), 'Cb5', 'C-flat major: C flat');
});

test('a played chord is written at the cursor, then grows by the keys that join it', () => {
  const doc = newDocument({ measures: 1, key: -1 });
  let n = 0;
  const ids = { next: () => `k${(n += 1)}` };
  const state = { selection: [], dur: { type: 4 } };
  state.cursor = cursorFromSelection(indexDoc(doc), state);
  const first = writeAtCursor(indexDoc(doc), state, ids, null, { midis: [70, 65, 70] });
  applyEdit(doc, first.ops);
  const event = first.select[0];
  const added = addPitchToChord(indexDoc(doc), event, ids, 74);
  applyEdit(doc, added.ops);
  assert.equal(addPitchToChord(indexDoc(doc), event, ids, 74), null, 'a pitch already there is not doubled');
  const notes = doc.parts[0].bars.m1.voices['1'][0].notes.map(pitchName);
  assert.deepEqual(notes, ['F4', 'Bb4', 'D5']);
});
