// Ops on rhythm and notes: write, delete, durations, chords, pitches, ties, lyrics, marks.
// Mirror of server/score/ops/events.py; pure.
//
// Entering an event overwrites whatever time it lands on and refills any partly
// covered neighbour with rests, so every voice stays exactly one measure long.

import { durValue, validateDur } from '../durations.js';
import { InvalidOp, MissingTarget, ValueError } from '../errors.js';
import {
  MARKS,
  REST_MARKS,
  findEvent,
  findNote,
  lengthOf,
  markProblem,
  rests,
  voiceLength,
  withOffsets,
} from '../model.js';
import { sortKey, sortNotes, transposePitch, validatePitch } from '../pitch.js';
import { get, hasOwn, isBool, isInt, isStr, own, pyRepr, pyStr, setOwn } from '../py.js';
import {
  barOf,
  checkVoiceSize,
  cleanEvent,
  cleanLyrics,
  cleanNote,
  cleanNotes,
  elementId,
  eventIds,
  field,
  fraction,
  requireUnused,
  snapshot,
  sortedMarks,
  voiceName,
} from './common.js';

/** `events` with `event` written at `start`; partly covered events become rests. */
export function overwrite(events, start, event, taken) {
  const end = start.add(durValue(event.dur));
  const out = [];
  let inserted = false;
  for (const [offset, old] of withOffsets(events)) {
    const oldEnd = offset.add(durValue(old.dur));
    if (oldEnd.le(start) || offset.ge(end)) {
      if (offset.ge(end) && !inserted) {
        out.push(event);
        inserted = true;
      }
      out.push(old);
      continue;
    }
    if (offset.lt(start)) out.push(...rests(start.sub(offset), `${event.id}.a`, taken, offset));
    if (!inserted) {
      out.push(event);
      inserted = true;
    }
    if (oldEnd.gt(end)) out.push(...rests(oldEnd.sub(end), `${event.id}.b`, taken, end));
  }
  if (!inserted) out.push(event);
  return out;
}

function setVoiceInverse(part, measure, voice, old) {
  return [{ op: 'set_voice', part: part.id, measure, voice, events: old }];
}

function writeEvent(doc, op) {
  const [part, measure, bar] = barOf(doc, op);
  const voice = voiceName(op);
  const offset = fraction(op, 'offset');
  const event = cleanEvent(get(op, 'event'));
  const taken = requireUnused(doc, eventIds([event]));
  const length = lengthOf(doc, measure);
  if (offset.add(durValue(event.dur)).gt(length)) {
    throw new InvalidOp(`write_event: the event does not fit in measure ${measure}`);
  }
  const old = own(bar.voices, voice);
  const current = old !== undefined ? old : rests(length, `${event.id}.v`, taken);
  bar.voices[voice] = checkVoiceSize(overwrite(current, offset, event, taken), 'write_event');
  return setVoiceInverse(part, measure, voice, snapshot(old ?? null));
}

function setVoice(doc, op) {
  const [part, measure, bar] = barOf(doc, op);
  const voice = voiceName(op);
  const old = own(bar.voices, voice) ?? null;
  const raw = get(op, 'events');
  if (raw === null) {
    if (voice === '1') throw new InvalidOp('set_voice: voice 1 cannot be removed');
    delete bar.voices[voice];
    return setVoiceInverse(part, measure, voice, snapshot(old));
  }
  if (!Array.isArray(raw) || raw.length > 256) {
    throw new InvalidOp('set_voice: events must be a list of at most 256 events');
  }
  const events = raw.map(cleanEvent);
  requireUnused(doc, eventIds(events), { exceptIds: new Set(eventIds(old || [])) });
  if (!voiceLength(events).eq(lengthOf(doc, measure))) {
    throw new InvalidOp(`set_voice: the events do not fill measure ${measure} exactly`);
  }
  bar.voices[voice] = events;
  return setVoiceInverse(part, measure, voice, snapshot(old));
}

function eventOf(doc, op) {
  const eventId = elementId(op, 'event');
  const found = findEvent(doc, eventId);
  if (found === null) throw new MissingTarget(`event ${eventId} no longer exists`);
  return found;
}

function noteOf(doc, op) {
  const noteId = elementId(op, 'note');
  const found = findNote(doc, noteId);
  if (found === null) throw new MissingTarget(`note ${noteId} no longer exists`);
  return found;
}

function setDuration(doc, op) {
  const [part, measure, voice, events, event] = eventOf(doc, op);
  let dur;
  try {
    dur = validateDur(get(op, 'dur'));
  } catch (exc) {
    if (exc instanceof ValueError) throw new InvalidOp(`set_duration: ${exc.message}`);
    throw exc;
  }
  const offset = withOffsets(events).find(([, e]) => e === event)[0];
  if (offset.add(durValue(dur)).gt(lengthOf(doc, measure))) {
    throw new InvalidOp(`set_duration: the new duration does not fit in measure ${measure}`);
  }
  const old = snapshot(events);
  const taken = requireUnused(doc, []);
  const index = events.indexOf(event);
  const cleared = [
    ...events.slice(0, index),
    ...rests(durValue(event.dur), `${event.id}.d`, taken, offset),
    ...events.slice(index + 1),
  ];
  const resized = { ...event, dur };
  part.bars[measure].voices[voice] = checkVoiceSize(
    overwrite(cleared, offset, resized, taken),
    'set_duration',
  );
  return setVoiceInverse(part, measure, voice, old);
}

function setNotes(doc, op) {
  const event = eventOf(doc, op)[4];
  const notes = cleanNotes(get(op, 'notes'));
  requireUnused(
    doc,
    notes.map((n) => n.id),
    { exceptIds: new Set(event.notes.map((n) => n.id)) },
  );
  const old = snapshot(event.notes);
  event.notes = notes;
  const inverse = [{ op: 'set_notes', event: event.id, notes: old }];
  if (!notes.length && hasOwn(event, 'lyrics')) {
    const lyrics = event.lyrics;
    delete event.lyrics;
    for (const [v, t] of Object.entries(lyrics)) {
      inverse.push({ op: 'set_lyric', event: event.id, verse: Number(v), text: t });
    }
  }
  if (!notes.length && hasOwn(event, 'marks')) {
    // A rest keeps only a fermata; the note's other marks come back with its inverse.
    const entries = Object.entries(event.marks);
    const kept = entries.filter(([k]) => REST_MARKS.includes(k));
    if (kept.length) event.marks = Object.fromEntries(kept);
    else delete event.marks;
    for (const [k, v] of entries.filter(([name]) => !REST_MARKS.includes(name))) {
      inverse.push({ op: 'set_mark', event: event.id, mark: k, value: v });
    }
  }
  return inverse;
}

/** Delete the notes of an event: it becomes a rest of the same length. */
function deleteEvent(doc, op) {
  const event = eventOf(doc, op)[4];
  return setNotes(doc, { op: 'set_notes', event: event.id, notes: [] });
}

function addNote(doc, op) {
  const event = eventOf(doc, op)[4];
  const note = cleanNote(get(op, 'note'));
  requireUnused(doc, [note.id]);
  if (event.notes.some((n) => sortKey(n)[0] === sortKey(note)[0])) {
    throw new InvalidOp('add_note: that pitch is already in the chord');
  }
  if (event.notes.length >= 16) throw new InvalidOp('add_note: a chord holds at most 16 notes');
  event.notes = sortNotes([...event.notes, note]);
  return [{ op: 'remove_note', note: note.id }];
}

function removeNote(doc, op) {
  const [event, note] = noteOf(doc, op);
  if (event.notes.length === 1) {
    return setNotes(doc, { op: 'set_notes', event: event.id, notes: [] });
  }
  event.notes = event.notes.filter((n) => n !== note);
  return [{ op: 'add_note', event: event.id, note: snapshot(note) }];
}

function setPitch(doc, op) {
  const [event, note] = noteOf(doc, op);
  const pitch = { step: get(op, 'step'), alter: get(op, 'alter', 0), octave: get(op, 'octave') };
  try {
    validatePitch(pitch);
  } catch (exc) {
    if (exc instanceof ValueError) throw new InvalidOp(`set_pitch: ${exc.message}`);
    throw exc;
  }
  const others = event.notes.filter((n) => n !== note).map((n) => sortKey(n)[0]);
  if (others.includes(sortKey(pitch)[0])) {
    throw new InvalidOp('set_pitch: that pitch is already in the chord');
  }
  const inverse = {
    op: 'set_pitch',
    note: note.id,
    step: note.step,
    alter: note.alter,
    octave: note.octave,
  };
  Object.assign(note, pitch);
  event.notes = sortNotes(event.notes);
  return [inverse];
}

/** Transpose notes by letter steps and semitones; notes gone meanwhile are skipped. */
function transpose(doc, op) {
  const noteIds = field(op, 'notes', 'list');
  const diatonic = field(op, 'diatonic', 'int');
  const chromatic = field(op, 'chromatic', 'int');
  if (Math.abs(diatonic) > 21 || Math.abs(chromatic) > 36) {
    throw new InvalidOp('transpose: interval larger than three octaves');
  }
  const moves = new Map();
  for (const noteId of noteIds) {
    const hit = isStr(noteId) ? findNote(doc, noteId) : null;
    if (hit === null || moves.has(noteId)) continue;
    try {
      moves.set(noteId, [hit[0], hit[1], transposePitch(hit[1], diatonic, chromatic)]);
    } catch (exc) {
      if (exc instanceof ValueError) throw new InvalidOp(`transpose: ${exc.message}`);
      throw exc;
    }
  }
  if (!moves.size) throw new MissingTarget('transpose: none of the notes exist any more');
  // Check every touched chord before changing anything: nothing is half-applied.
  for (const event of new Set([...moves.values()].map(([e]) => e))) {
    const midis = event.notes.map((n) => sortKey(moves.has(n.id) ? moves.get(n.id)[2] : n)[0]);
    if (new Set(midis).size !== midis.length) {
      throw new InvalidOp('transpose: two notes of a chord would land on one pitch');
    }
  }
  for (const [event, note, pitch] of moves.values()) {
    Object.assign(note, pitch);
    event.notes = sortNotes(event.notes);
  }
  // Spelled transposition is exactly reversible (same letter steps, same semitones back);
  // `0 - x` rather than `-x`: -0 would differ from Python's 0 under deep equality.
  return [
    { op: 'transpose', notes: [...moves.keys()], diatonic: 0 - diatonic, chromatic: 0 - chromatic },
  ];
}

function setTie(doc, op) {
  const note = noteOf(doc, op)[1];
  const tie = field(op, 'tie', 'bool');
  const old = get(note, 'tie', false) === true;
  if (tie) note.tie = true;
  else delete note.tie;
  return [{ op: 'set_tie', note: note.id, tie: old }];
}

function setLyric(doc, op) {
  const event = eventOf(doc, op)[4];
  const verse = get(op, 'verse', 1);
  const text = field(op, 'text', 'str');
  // Python: isinstance(verse, int) lets True through, and str(True) is then refused.
  const lyric = isInt(verse) || isBool(verse) ? cleanLyrics({ [pyStr(verse)]: text }) : null;
  if (lyric === null) throw new InvalidOp('set_lyric: verse must be an integer 1..9');
  if (text && !event.notes.length) {
    throw new InvalidOp('set_lyric: lyrics go on notes, not on rests');
  }
  if (!hasOwn(event, 'lyrics')) event.lyrics = {};
  const lyrics = event.lyrics;
  const key = String(verse);
  const old = hasOwn(lyrics, key) ? lyrics[key] : '';
  delete lyrics[key];
  for (const [k, v] of Object.entries(lyric)) setOwn(lyrics, k, v);
  if (!Object.keys(lyrics).length) delete event.lyrics;
  return [{ op: 'set_lyric', event: event.id, verse, text: old }];
}

/** Put an articulation or ornament on an event (`value` null removes it). */
function setMark(doc, op) {
  const event = eventOf(doc, op)[4];
  const name = field(op, 'mark', 'str');
  const value = get(op, 'value');
  if (!MARKS.includes(name)) {
    throw new InvalidOp(`set_mark: unknown mark ${pyRepr(name)} (one of ${MARKS.join(', ')})`);
  }
  if (value !== null) {
    const problem = markProblem(name, value, event.notes.length > 0);
    if (problem !== null) throw new InvalidOp(`set_mark: ${problem}`);
  }
  const marks = hasOwn(event, 'marks') ? event.marks : {};
  const old = hasOwn(marks, name) ? marks[name] : null;
  if (value === null) delete marks[name];
  else marks[name] = value;
  if (Object.keys(marks).length) event.marks = sortedMarks(marks);
  else delete event.marks;
  return [{ op: 'set_mark', event: event.id, mark: name, value: old }];
}

export const HANDLERS = {
  write_event: writeEvent,
  set_voice: setVoice,
  set_duration: setDuration,
  set_notes: setNotes,
  delete_event: deleteEvent,
  add_note: addNote,
  remove_note: removeNote,
  set_pitch: setPitch,
  transpose,
  set_tie: setTie,
  set_lyric: setLyric,
  set_mark: setMark,
};
