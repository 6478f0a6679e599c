// Shared validation helpers for op handlers: typed field access with clear errors.
// Mirror of server/score/ops/_common.py; pure.

import { parseFraction, validateDur } from '../durations.js';
import { InvalidOp, MissingTarget, ValueError } from '../errors.js';
import { MAX_EVENTS_PER_VOICE } from '../limits.js';
import { VOICES, allIds, findPart, marksProblem } from '../model.js';
import { sortKey, sortNotes, validatePitch } from '../pitch.js';
import {
  deepCopy,
  get,
  hasOwn,
  isBool,
  isDict,
  isInt,
  isList,
  isStr,
  own,
  pyLen,
  pyRepr,
  pyStr,
  unknownKeys,
} from '../py.js';

// Whole-string match, as Python's ID_PATTERN.fullmatch (JS `$` never matches before a "\n").
export const ID_PATTERN = /^[A-Za-z0-9_.:~-]{1,64}$/;
export const MAX_LYRIC = 64;

const CHECKS = { str: isStr, int: isInt, list: isList, bool: isBool, dict: isDict };

/** op[name] checked against a kind ('str', 'int', 'list', 'bool'); booleans never pass for ints. */
export function field(op, name, kind, { optional = false } = {}) {
  if (!hasOwn(op, name) || op[name] === null) {
    if (optional) return null;
    throw new InvalidOp(`${pyStr(get(op, 'op'))}: missing field ${pyRepr(name)}`);
  }
  const value = op[name];
  if (!CHECKS[kind](value)) {
    throw new InvalidOp(`${pyStr(get(op, 'op'))}: field ${pyRepr(name)} has the wrong type`);
  }
  return value;
}

export function elementId(op, name) {
  const value = field(op, name, 'str');
  if (!ID_PATTERN.test(value)) {
    throw new InvalidOp(`${pyStr(get(op, 'op'))}: ${name} ${pyRepr(value)} is not a valid id`);
  }
  return value;
}

export function checkId(value, what) {
  if (!isStr(value) || !ID_PATTERN.test(value)) {
    throw new InvalidOp(`${what} id ${pyRepr(value)} is not valid (1-64 of A-Z a-z 0-9 _ . : ~ -)`);
  }
  return value;
}

export function fraction(op, name) {
  try {
    return parseFraction(get(op, name));
  } catch (exc) {
    if (exc instanceof ValueError) {
      throw new InvalidOp(`${pyStr(get(op, 'op'))}: ${name}: ${exc.message}`);
    }
    throw exc;
  }
}

export function voiceName(op) {
  const voice = pyStr(get(op, 'voice', '1'));
  if (!VOICES.includes(voice)) {
    throw new InvalidOp(`${pyStr(get(op, 'op'))}: voice must be one of ('1', '2', '3', '4')`);
  }
  return voice;
}

export function partOf(doc, op) {
  const partId = elementId(op, 'part');
  const part = findPart(doc, partId);
  if (part === null) throw new MissingTarget(`part ${partId} no longer exists`);
  return part;
}

/** [part, measureId, bar] */
export function barOf(doc, op) {
  const part = partOf(doc, op);
  const measureId = elementId(op, 'measure');
  const bar = own(part.bars, measureId);
  if (bar === undefined) throw new MissingTarget(`measure ${measureId} no longer exists`);
  return [part, measureId, bar];
}

/** A validated note in canonical form (tie only when true). */
export function cleanNote(raw, what = 'note') {
  if (!isDict(raw)) throw new InvalidOp(`${what} must be an object`);
  const unknown = unknownKeys(raw, ['id', 'step', 'alter', 'octave', 'tie']);
  if (unknown.length) throw new InvalidOp(`${what}: unknown fields ${pyRepr(unknown)}`);
  const note = {
    id: checkId(get(raw, 'id'), what),
    step: get(raw, 'step'),
    alter: get(raw, 'alter', 0),
    octave: get(raw, 'octave'),
  };
  try {
    validatePitch(note);
  } catch (exc) {
    if (exc instanceof ValueError) throw new InvalidOp(`${what}: ${exc.message}`);
    throw exc;
  }
  const tie = get(raw, 'tie', false);
  if (!isBool(tie)) throw new InvalidOp(`${what}: tie must be true or false`);
  if (tie) note.tie = true;
  return note;
}

export function cleanNotes(raw) {
  if (!isList(raw) || raw.length > 16) {
    throw new InvalidOp('notes must be a list of at most 16 notes');
  }
  const notes = raw.map((n) => cleanNote(n));
  const midis = notes.map((n) => sortKey(n)[0]);
  if (new Set(midis).size !== midis.length) {
    throw new InvalidOp('a chord cannot hold the same pitch twice');
  }
  return sortNotes(notes);
}

export function cleanLyrics(raw) {
  if (raw === null || raw === undefined) return {};
  if (!isDict(raw)) throw new InvalidOp('lyrics must be an object of verse -> text');
  const out = {};
  for (const verse of Object.keys(raw)) {
    const text = raw[verse];
    // str.isdigit() in Python also accepts other Unicode digits; JSON keys here are ASCII.
    if (!/^[0-9]+$/.test(verse) || !(Number(verse) >= 1 && Number(verse) <= 9)) {
      throw new InvalidOp(`lyric verse must be 1..9, got ${pyRepr(verse)}`);
    }
    if (!isStr(text) || pyLen(text) > MAX_LYRIC) {
      throw new InvalidOp(`lyric text must be a string of at most ${MAX_LYRIC} characters`);
    }
    if (text) out[String(Number(verse))] = text;
  }
  return out;
}

/** A validated event in canonical form. */
export function cleanEvent(raw) {
  if (!isDict(raw)) throw new InvalidOp('event must be an object');
  const unknown = unknownKeys(raw, ['id', 'dur', 'notes', 'lyrics', 'marks']);
  if (unknown.length) throw new InvalidOp(`event: unknown fields ${pyRepr(unknown)}`);
  let dur;
  try {
    dur = validateDur(get(raw, 'dur'));
  } catch (exc) {
    if (exc instanceof ValueError) throw new InvalidOp(`event: ${exc.message}`);
    throw exc;
  }
  const event = { id: checkId(get(raw, 'id'), 'event'), dur };
  event.notes = cleanNotes(get(raw, 'notes', []));
  const lyrics = cleanLyrics(get(raw, 'lyrics'));
  if (Object.keys(lyrics).length) {
    if (!event.notes.length) throw new InvalidOp('lyrics go on notes, not on rests');
    event.lyrics = lyrics;
  }
  const marks = get(raw, 'marks');
  if (marks !== null && !(isDict(marks) && !Object.keys(marks).length)) {
    const problem = marksProblem(marks, event.notes.length > 0);
    if (problem !== null) throw new InvalidOp(`event: ${problem}`);
    event.marks = sortedMarks(marks);
  }
  return event;
}

/** A marks object with its keys in sorted order (as Python's ``dict(sorted(...))``). */
export function sortedMarks(marks) {
  const out = {};
  for (const key of Object.keys(marks).sort()) out[key] = marks[key];
  return out;
}

export function eventIds(events) {
  const ids = [];
  for (const event of events) {
    ids.push(event.id);
    for (const n of event.notes) ids.push(n.id);
  }
  return ids;
}

/** `events` unless a voice would hold more than the limit (see ../limits.js). */
export function checkVoiceSize(events, what) {
  if (events.length > MAX_EVENTS_PER_VOICE) {
    throw new InvalidOp(
      `${what}: a voice holds at most ${MAX_EVENTS_PER_VOICE} notes and rests per bar`,
    );
  }
  return events;
}

/** Refuse IDs already in the document; returns the taken set for filler IDs. */
export function requireUnused(doc, newIds, { exceptIds = null } = {}) {
  if (new Set(newIds).size !== newIds.length) {
    throw new InvalidOp('the same id is used twice in one op');
  }
  const taken = new Set(allIds(doc));
  if (exceptIds) for (const i of exceptIds) taken.delete(i);
  const clash = newIds.filter((i) => taken.has(i));
  if (clash.length) throw new InvalidOp(`id ${pyRepr(clash[0])} is already used in this score`);
  for (const i of newIds) taken.add(i);
  return taken;
}

/** A private copy for an inverse, so later mutation cannot alter history. */
export const snapshot = deepCopy;
