// Spelled pitches (step, alteration, octave): validation, MIDI numbers, transposition.
// Mirror of server/score/pitch.py; pure.

import { ValueError } from './errors.js';
import { get, hasOwn, isInt, pyRepr } from './py.js';

export const STEPS = 'CDEFGAB';
export const STEP_SEMITONES = { C: 0, D: 2, E: 4, F: 5, G: 7, A: 9, B: 11 };
export const MAX_ALTER = 2;

export function validatePitch(note) {
  const step = get(note, 'step');
  const alter = get(note, 'alter', 0);
  const octave = get(note, 'octave');
  if (typeof step !== 'string' || !hasOwn(STEP_SEMITONES, step)) {
    throw new ValueError(`step must be one of A-G, got ${pyRepr(step)}`);
  }
  if (!isInt(alter) || Math.abs(alter) > MAX_ALTER) {
    throw new ValueError(`alter must be an integer -2..2, got ${pyRepr(alter)}`);
  }
  if (!isInt(octave) || !(octave >= 0 && octave <= 9)) {
    throw new ValueError(`octave must be 0..9, got ${pyRepr(octave)}`);
  }
  const midi = toMidi(note);
  if (!(midi >= 0 && midi <= 127)) {
    throw new ValueError(`pitch ${spell(note)} is outside the MIDI range`);
  }
}

/** MIDI number of a spelled pitch; C4 = 60. */
export function toMidi(note) {
  return 12 * (note.octave + 1) + STEP_SEMITONES[note.step] + get(note, 'alter', 0);
}

/** Human name such as C#4 or Bb3. */
export function spell(note) {
  const alter = get(note, 'alter', 0);
  const accidental = alter > 0 ? '#'.repeat(alter) : 'b'.repeat(-alter);
  return `${note.step}${accidental}${note.octave}`;
}

/** Notes of a chord are kept low to high; enharmonic ties broken by letter. */
export function sortKey(note) {
  return [toMidi(note), note.octave * 7 + STEPS.indexOf(note.step)];
}

export function compareNotes(a, b) {
  const [x0, x1] = sortKey(a);
  const [y0, y1] = sortKey(b);
  return x0 - y0 || x1 - y1;
}

/** A stable low-to-high sort, as Python's sorted(notes, key=sort_key). */
export const sortNotes = (notes) => [...notes].sort(compareNotes);

/** Transpose by an interval given as letter steps and semitones (M2 = 1, 2). */
export function transposePitch(note, diatonic, chromatic) {
  const index = note.octave * 7 + STEPS.indexOf(note.step) + diatonic;
  const octave = Math.floor(index / 7);
  const step = STEPS[index - octave * 7];
  const target = toMidi(note) + chromatic;
  const natural = 12 * (octave + 1) + STEP_SEMITONES[step];
  const result = { step, alter: target - natural, octave };
  validatePitch(result);
  return result;
}
