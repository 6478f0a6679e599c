// Pitch arithmetic for note entry: MIDI numbers, spelling, nearest octave, keys. Pure.

const STEPS = "CDEFGAB";
const SEMI = { C: 0, D: 2, E: 4, F: 5, G: 7, A: 9, B: 11 };
const SHARPS = "FCGDAEB";
const FLATS = "BEADGCF";
const SHARP_NAMES = ["C", "C#", "D", "D#", "E", "F", "F#", "G", "G#", "A", "A#", "B"];
const FLAT_NAMES = ["C", "Db", "D", "Eb", "E", "F", "Gb", "G", "Ab", "A", "Bb", "B"];

export function midiOf(p) {
  return 12 * (p.octave + 1) + SEMI[p.step] + (p.alter || 0);
}

/** Alteration the key signature gives a letter (key = sharps > 0, flats < 0). */
export function keyAlter(key, step) {
  if (key > 0 && SHARPS.slice(0, key).includes(step)) return 1;
  if (key < 0 && FLATS.slice(0, -key).includes(step)) return -1;
  return 0;
}

/** The pitch with letter ``step`` closest to ``near`` (a MIDI number), key applied. */
export function nearestPitch(step, key, near) {
  const alter = keyAlter(key, step);
  let best = null;
  for (let octave = 0; octave <= 9; octave++) {
    const p = { step, alter, octave };
    const m = midiOf(p);
    if (m < 0 || m > 127) continue;
    if (!best || Math.abs(m - near) < Math.abs(midiOf(best) - near)) best = p;
  }
  return best;
}

/** Spell a MIDI number, with sharps going up and flats going down (as MuseScore does). */
export function spellMidi(midi, preferSharps) {
  const names = preferSharps ? SHARP_NAMES : FLAT_NAMES;
  const name = names[((midi % 12) + 12) % 12];
  const octave = Math.floor(midi / 12) - 1;
  const alter = name.length > 1 ? (name[1] === "#" ? 1 : -1) : 0;
  return { step: name[0], alter, octave };
}

/**
 * Spell a MIDI number as the key signature suggests: the letter the key alters to this
 * pitch (F# in D major, Bb in F major), else its natural, else a sharp in sharp keys and
 * C major, a flat in flat keys.
 */
export function spellInKey(midi, key) {
  const octaveOf = (step, alter) => Math.round((midi - SEMI[step] - alter) / 12) - 1;
  const candidates = [];
  for (const step of STEPS) {
    for (const alter of [-1, 0, 1]) {
      if ((((SEMI[step] + alter - midi) % 12) + 12) % 12 === 0) candidates.push({ step, alter, octave: octaveOf(step, alter) });
    }
  }
  const inKey = candidates.find((p) => keyAlter(key, p.step) === p.alter && p.alter !== 0);
  if (inKey) return inKey;
  const natural = candidates.find((p) => p.alter === 0 && keyAlter(key, p.step) === 0);
  if (natural) return natural;
  return spellMidi(midi, key >= 0);
}

export function pitchName(p) {
  const acc = p.alter > 0 ? "#".repeat(p.alter) : "b".repeat(-p.alter || 0);
  return `${p.step}${acc}${p.octave}`;
}

const MAJORS = ["Cb", "Gb", "Db", "Ab", "Eb", "Bb", "F", "C", "G", "D", "A", "E", "B", "F#", "C#"];
const MINORS = ["Ab", "Eb", "Bb", "F", "C", "G", "D", "A", "E", "B", "F#", "C#", "G#", "D#", "A#"];

function spelled(name) {
  return name.replace("#", "♯").replace(/^(.)b$/, "$1♭");
}

/** A key signature (sharps > 0, flats < 0) as musicians name it: "D major · B minor (2♯)". */
export function keyName(key) {
  const count = key === 0 ? "no sharps or flats" : key > 0 ? `${key}♯` : `${-key}♭`;
  return `${spelled(MAJORS[key + 7])} major · ${spelled(MINORS[key + 7])} minor (${count})`;
}

/** Every key signature, flats to sharps, as ``[key, name]`` pairs for a menu. */
export function keyOptions() {
  return MAJORS.map((_, i) => [i - 7, keyName(i - 7)]);
}

export { STEPS };
