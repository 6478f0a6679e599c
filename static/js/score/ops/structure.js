// Ops on the score's shape: measures, measure attributes (time, key, tempo), parts, metadata,
// and replace_document. Mirror of server/score/ops/structure.py; pure.
//
// Inserting or removing measures first *pins* the attributes of the measure that follows
// (makes them explicit), so no other measure changes length behind the user's back; the
// inverse unpins them again.

import { durValue } from '../durations.js';
import { InvalidOp, MissingTarget, ScoreError, ValueError } from '../errors.js';
import { ZERO, fractionFromString } from '../fraction.js';
import {
  CLEFS,
  CLEFS_REPR,
  MEASURE_ATTRS,
  allIds,
  effectiveAttr,
  emptyBar,
  lengths,
  measureIndex,
  rests,
  withOffsets,
} from '../model.js';
import {
  get,
  hasOwn,
  inTuple,
  isDict,
  isInt,
  isList,
  isNumber,
  isStr,
  own,
  pyLen,
  pyRepr,
  setOwn,
  truthy,
  unknownKeys,
} from '../py.js';
import { applyOp } from '../ops.js';
import { FORM_FIELDS, formProblem } from '../form.js';
import { MAX_SPANNERS } from '../spanners.js';
import { barIds, cleanBar } from './bars.js';
import { cleanSpanner } from './spanners.js';
import { checkId, elementId, field, partOf, requireUnused, snapshot } from './common.js';
import { MAX_BARS, MAX_MEASURES, MAX_PARTS, sizeProblems } from '../limits.js';

export { MAX_MEASURES, MAX_PARTS };

function checkAttr(attr, value) {
  if (value === null || value === undefined) return null;
  if (attr === 'time') {
    const ok =
      isList(value) &&
      value.length === 2 &&
      value.every(isInt) &&
      value[0] >= 1 &&
      value[0] <= 32 &&
      [1, 2, 4, 8, 16, 32].includes(value[1]);
    if (!ok)
      throw new InvalidOp(`time must be [beats, beat type] like [3, 4], got ${pyRepr(value)}`);
    return [value[0], value[1]];
  }
  if (attr === 'key') {
    if (!isInt(value) || !(value >= -7 && value <= 7)) {
      throw new InvalidOp(
        `key must be a number of sharps (+) or flats (-), -7..7, got ${pyRepr(value)}`,
      );
    }
    return value;
  }
  if (!isNumber(value) || !(value >= 10 && value <= 400)) {
    throw new InvalidOp(`tempo must be 10..400 quarter notes per minute, got ${pyRepr(value)}`);
  }
  return value;
}

/** [index, measure] */
function measureOf(doc, op) {
  const measureId = elementId(op, 'measure');
  const index = measureIndex(doc, measureId);
  if (index < 0) throw new MissingTarget(`measure ${measureId} no longer exists`);
  return [index, doc.measures[index]];
}

/** Cut or pad every voice of a bar to a new measure length. */
function refit(doc, measure, part, length) {
  const bar = part.bars[measure];
  // Filler ids must be free in the whole document, not just in this bar.
  const taken = new Set(allIds(doc));
  for (const voice of Object.keys(bar.voices)) {
    const kept = [];
    let cut = false;
    for (const [offset, event] of withOffsets(bar.voices[voice])) {
      if (offset.ge(length)) {
        cut = true;
        break;
      }
      if (offset.add(durValue(event.dur)).gt(length)) {
        kept.push(...rests(length.sub(offset), `${event.id}.t`, taken, offset));
        cut = true;
        break;
      }
      kept.push(event);
    }
    if (!cut) {
      const filled = kept.reduce((sum, e) => sum.add(durValue(e.dur)), ZERO);
      kept.push(...rests(length.sub(filled), `${measure}.${part.id}.${voice}.p`, taken, filled));
    }
    bar.voices[voice] = kept;
  }
  for (const kind of ['harmonies', 'dynamics']) {
    if (hasOwn(bar, kind)) {
      bar[kind] = bar[kind].filter((x) => fractionFromString(x.offset).lt(length));
      if (!bar[kind].length) delete bar[kind];
    }
  }
}

function setAttr(doc, op, attr) {
  const [index, measure] = measureOf(doc, op);
  const value = checkAttr(attr, get(op, attr));
  if (value === null && index === 0) {
    throw new InvalidOp(`set_${attr}: the first measure must keep a ${attr}`);
  }
  const old = get(measure, attr);
  const before = lengths(doc);
  if (value === null) delete measure[attr];
  else measure[attr] = value;
  const after = lengths(doc);
  const changed = [...after.keys()].filter((mid) => !after.get(mid).eq(before.get(mid)));
  // Work out every refit before touching the bars, so a refused refit changes nothing.
  const saved = [];
  for (const mid of changed)
    for (const p of doc.parts) saved.push([p.id, mid, snapshot(p.bars[mid])]);
  try {
    for (const mid of changed) for (const part of doc.parts) refit(doc, mid, part, after.get(mid));
  } catch (exc) {
    // A remainder no rest can notate: put everything back before refusing.
    for (const [pid, mid, bar] of saved) {
      setOwn(doc.parts.find((p) => p.id === pid).bars, mid, snapshot(bar));
    }
    if (old === null) delete measure[attr];
    else measure[attr] = old;
    if (exc instanceof ValueError) {
      throw new InvalidOp(`set_${attr}: the bars cannot be refitted: ${exc.message}`);
    }
    throw exc;
  }
  const inverse = [{ op: `set_${attr}`, measure: measure.id, [attr]: old }];
  if (saved.length) {
    // One op restores every refitted bar: no transient id clash between them.
    inverse.push({
      op: 'set_bars',
      bars: saved.map(([p, m, b]) => ({ part: p, measure: m, bar: b })),
    });
  }
  return inverse;
}

const setTime = (doc, op) => setAttr(doc, op, 'time');
const setKey = (doc, op) => setAttr(doc, op, 'key');
const setTempo = (doc, op) => setAttr(doc, op, 'tempo');

/** Make measure `index`'s inherited attributes explicit; returns the unpinning ops. */
function pin(doc, index) {
  if (index >= doc.measures.length) return [];
  const measure = doc.measures[index];
  const undo = [];
  for (const attr of MEASURE_ATTRS) {
    if (!hasOwn(measure, attr)) {
      measure[attr] = snapshot(effectiveAttr(doc, index, attr));
      undo.push({ op: `set_${attr}`, measure: measure.id, [attr]: null });
    }
  }
  return undo;
}

function insertMeasures(doc, op) {
  const at = field(op, 'at', 'int');
  const specs = field(op, 'measures', 'list');
  if (!(at >= 0 && at <= doc.measures.length)) {
    throw new InvalidOp(`insert_measures: at must be 0..${doc.measures.length}`);
  }
  if (!specs.length || doc.measures.length + specs.length > MAX_MEASURES) {
    throw new InvalidOp(`insert_measures: 1 or more measures, at most ${MAX_MEASURES} in a score`);
  }
  if ((doc.measures.length + specs.length) * doc.parts.length > MAX_BARS) {
    throw new InvalidOp(`insert_measures: measures x parts may be at most ${MAX_BARS}`);
  }
  const ids = specs.map((s) => checkId(isDict(s) ? get(s, 'id') : null, 'measure'));
  const taken = requireUnused(doc, ids);
  for (const spec of specs) {
    const unknown = unknownKeys(spec, ['id', 'bars', ...MEASURE_ATTRS, ...FORM_FIELDS]);
    if (unknown.length) throw new InvalidOp(`insert_measures: unknown fields ${pyRepr(unknown)}`);
    for (const attr of MEASURE_ATTRS) checkAttr(attr, get(spec, attr));
    checkForm(spec, 'insert_measures');
  }
  let undo = [];
  const inserted = [];
  try {
    specs.forEach((spec, k) => {
      const index = at + k;
      undo = [...pin(doc, index), ...undo];
      const measure = { id: spec.id };
      for (const attr of MEASURE_ATTRS) {
        if (get(spec, attr) !== null) measure[attr] = checkAttr(attr, spec[attr]);
        else if (index === 0) measure[attr] = snapshot(effectiveAttr(doc, 0, attr));
      }
      Object.assign(measure, checkForm(spec, 'insert_measures'));
      doc.measures.splice(index, 0, measure);
      inserted.push(measure.id);
      const bars = get(spec, 'bars');
      for (const part of doc.parts) {
        let bar;
        const given = barsEntry(bars, part.id);
        if (given !== undefined) {
          bar = cleanBar(doc, measure.id, given);
          // Against `taken` (the score's IDs plus those inserted so far): re-reading every
          // ID of the score per bar made large inserts quadratic.
          const newIds = barIds(bar);
          if (new Set(newIds).size !== newIds.length) {
            throw new InvalidOp('the same id is used twice in one op');
          }
          const clash = newIds.find((i) => taken.has(i));
          if (clash !== undefined) {
            throw new InvalidOp(`id ${pyRepr(clash)} is already used in this score`);
          }
          for (const i of newIds) taken.add(i);
        } else {
          bar = emptyBar(doc, measure.id, `${measure.id}.${part.id}`, taken);
        }
        setOwn(part.bars, measure.id, bar);
      }
    });
    const problems = sizeProblems(doc);
    if (problems.length) throw new InvalidOp(`insert_measures: ${problems[0]}`);
  } catch (exc) {
    undoInsert(doc, inserted, undo);
    if (exc instanceof ScoreError) throw exc;
    throw new InvalidOp(`insert_measures: malformed measure: ${exc}`);
  }
  return [{ op: 'remove_measures', ids: inserted }, ...undo];
}

/** Python's `part_id in (spec.get("bars") or {})` then `bars[part_id]`, for JSON values. */
function barsEntry(bars, partId) {
  if (!truthy(bars)) return undefined;
  if (isDict(bars)) return own(bars, partId);
  // A list or a str answers `in` (membership, substring) but cannot be indexed by an id.
  if ((isList(bars) || isStr(bars)) && !bars.includes(partId)) return undefined;
  throw new TypeError('bars must be an object of part id -> bar');
}

function undoInsert(doc, inserted, undo) {
  doc.measures = doc.measures.filter((m) => !inserted.includes(m.id));
  for (const part of doc.parts) for (const mid of inserted) delete part.bars[mid];
  for (const inverseOp of undo) applyOp(doc, inverseOp);
}

function removeMeasures(doc, op) {
  const ids = field(op, 'ids', 'list');
  const present = doc.measures.map((m) => m.id).filter((id) => ids.includes(id));
  if (!present.length)
    throw new MissingTarget('remove_measures: none of the measures exist any more');
  if (present.length >= doc.measures.length) {
    throw new InvalidOp('remove_measures: a score keeps at least one measure');
  }
  let inverse = [];
  for (const measureId of present) {
    const index = measureIndex(doc, measureId);
    const unpin = pin(doc, index + 1);
    const [measure] = doc.measures.splice(index, 1);
    const bars = {};
    for (const p of doc.parts) {
      setOwn(bars, p.id, p.bars[measureId]);
      delete p.bars[measureId];
    }
    const restore = { op: 'insert_measures', at: index, measures: [{ ...measure, bars }] };
    inverse = [restore, ...unpin, ...inverse];
  }
  return inverse;
}

function cleanPart(doc, raw) {
  if (!isDict(raw)) throw new InvalidOp('part must be an object');
  const unknown = unknownKeys(raw, ['id', 'name', 'instrument', 'clef', 'transposition', 'bars']);
  if (unknown.length) throw new InvalidOp(`part: unknown fields ${pyRepr(unknown)}`);
  const part = { id: checkId(get(raw, 'id'), 'part') };
  Object.assign(part, partProps(raw, { defaults: true }));
  const bars = get(raw, 'bars');
  const taken = requireUnused(doc, [part.id]);
  part.bars = {};
  for (const m of doc.measures) {
    let bar;
    const given = barsEntry(bars, m.id);
    if (given !== undefined) {
      bar = cleanBar(doc, m.id, given);
      // The part is not in the document yet: check against everything taken so far.
      const newIds = barIds(bar);
      const clash = newIds.filter((i) => taken.has(i));
      if (clash.length || new Set(newIds).size !== newIds.length) {
        throw new InvalidOp(`part: id ${pyRepr((clash.length ? clash : newIds)[0])} is used twice`);
      }
      for (const i of newIds) taken.add(i);
    } else {
      bar = emptyBar(doc, m.id, `${m.id}.${part.id}`, taken);
    }
    setOwn(part.bars, m.id, bar);
  }
  return part;
}

function partProps(raw, { defaults }) {
  const props = {};
  const fallback = { name: 'Part', instrument: 'piano', clef: 'treble', transposition: 0 };
  for (const [key, dflt] of Object.entries(fallback)) {
    if (!hasOwn(raw, key)) {
      if (defaults) props[key] = dflt;
      continue;
    }
    const value = raw[key];
    if ((key === 'name' || key === 'instrument') && (!isStr(value) || pyLen(value) > 64)) {
      throw new InvalidOp(`part ${key} must be a string of at most 64 characters`);
    }
    if (key === 'clef' && !inTuple(value, CLEFS)) {
      throw new InvalidOp(`part clef must be one of ${CLEFS_REPR}`);
    }
    if (key === 'transposition' && (!isInt(value) || Math.abs(value) > 36)) {
      throw new InvalidOp('part transposition must be semitones -36..36');
    }
    props[key] = value;
  }
  return props;
}

function addPart(doc, op) {
  if (doc.parts.length >= MAX_PARTS) throw new InvalidOp(`add_part: at most ${MAX_PARTS} parts`);
  if (doc.measures.length * (doc.parts.length + 1) > MAX_BARS) {
    throw new InvalidOp(`add_part: measures x parts may be at most ${MAX_BARS}`);
  }
  const at = get(op, 'at', doc.parts.length);
  if (!isInt(at) || !(at >= 0 && at <= doc.parts.length)) {
    throw new InvalidOp(`add_part: at must be 0..${doc.parts.length}`);
  }
  const part = cleanPart(doc, get(op, 'part'));
  doc.parts.splice(at, 0, part);
  const problems = sizeProblems(doc);
  if (problems.length) {
    doc.parts.splice(doc.parts.indexOf(part), 1);
    throw new InvalidOp(`add_part: ${problems[0]}`);
  }
  return [{ op: 'remove_part', part: part.id }];
}

function removePart(doc, op) {
  const part = partOf(doc, op);
  if (doc.parts.length === 1) throw new InvalidOp('remove_part: a score keeps at least one part');
  const at = doc.parts.indexOf(part);
  doc.parts.splice(at, 1);
  return [{ op: 'add_part', at, part: snapshot(part) }];
}

function setPart(doc, op) {
  const part = partOf(doc, op);
  const rest = {};
  for (const k of Object.keys(op)) if (k !== 'op' && k !== 'part') rest[k] = op[k];
  const props = partProps(rest, { defaults: false });
  const inverse = { op: 'set_part', part: part.id };
  for (const k of Object.keys(props)) inverse[k] = part[k];
  Object.assign(part, props);
  return [inverse];
}

function setMeta(doc, op) {
  const inverse = { op: 'set_meta' };
  const changes = {};
  for (const key of ['title', 'composer']) {
    if (hasOwn(op, key)) {
      const value = op[key];
      if (!isStr(value) || pyLen(value) > 200) {
        throw new InvalidOp(`set_meta: ${key} must be a string of at most 200 characters`);
      }
      changes[key] = value;
    }
  }
  if (!Object.keys(changes).length) throw new InvalidOp('set_meta: give a title or a composer');
  for (const [key, value] of Object.entries(changes)) {
    inverse[key] = get(doc, key, '');
    doc[key] = value;
  }
  return [inverse];
}

/** A whole document validated and put in canonical form (for imports and restores). */
export function cleanDocument(raw) {
  if (!isDict(raw)) throw new InvalidOp('a document must be an object');
  const measures = get(raw, 'measures');
  const parts = get(raw, 'parts');
  if (!isList(measures) || !measures.length || measures.length > MAX_MEASURES) {
    throw new InvalidOp(`a document needs 1..${MAX_MEASURES} measures`);
  }
  if (!isList(parts) || !parts.length || parts.length > MAX_PARTS) {
    throw new InvalidOp(`a document needs 1..${MAX_PARTS} parts`);
  }
  if (measures.length * parts.length > MAX_BARS) {
    throw new InvalidOp(`a document may have at most ${MAX_BARS} bars (measures x parts)`);
  }
  const doc = { title: '', composer: '', measures: [], parts: [] };
  for (const key of ['title', 'composer']) {
    const value = get(raw, key, '');
    if (!isStr(value) || pyLen(value) > 200) {
      throw new InvalidOp(`document ${key} must be a string of at most 200 characters`);
    }
    doc[key] = value;
  }
  measures.forEach((spec, i) => {
    if (!isDict(spec)) throw new InvalidOp('measures must be objects');
    const measure = { id: checkId(get(spec, 'id'), 'measure') };
    for (const attr of MEASURE_ATTRS) {
      const value = checkAttr(attr, get(spec, attr));
      if (value !== null) measure[attr] = value;
      else if (i === 0) throw new InvalidOp(`the first measure needs a ${attr}`);
    }
    Object.assign(measure, checkForm(spec, 'document'));
    doc.measures.push(measure);
  });
  requireUnused(doc, []);
  const ids = doc.measures.map((m) => m.id);
  if (new Set(ids).size !== ids.length) throw new InvalidOp('two measures share an id');
  for (const spec of parts) {
    if (!isDict(spec)) throw new InvalidOp('parts must be objects');
    const bars = get(spec, 'bars');
    const keys = isDict(bars) ? Object.keys(bars) : null;
    if (keys === null || keys.length !== new Set(ids).size || !keys.every((k) => ids.includes(k))) {
      throw new InvalidOp(`part ${pyRepr(get(spec, 'id'))} needs exactly one bar per measure`);
    }
    doc.parts.push(cleanPart(doc, spec));
  }
  const problems = sizeProblems(doc);
  if (problems.length) throw new InvalidOp(problems[0]);
  cleanSpanners(doc, get(raw, 'spanners'));
  return doc;
}

/** The document's spanners, each checked as set_spanner checks it. */
function cleanSpanners(doc, raw) {
  if (raw === null || (Array.isArray(raw) && !raw.length)) return;
  if (!Array.isArray(raw) || raw.length > MAX_SPANNERS) {
    throw new InvalidOp(`spanners must be a list of at most ${MAX_SPANNERS}`);
  }
  let cleaned;
  try {
    cleaned = raw.map((sp) => cleanSpanner(doc, sp, 'document'));
  } catch (exc) {
    // In a whole document, a missing end is simply wrong.
    if (exc instanceof MissingTarget) throw new InvalidOp(exc.message);
    throw exc;
  }
  const taken = new Set(allIds(doc));
  const ids = cleaned.map((sp) => sp.id);
  if (new Set(ids).size !== ids.length || ids.some((id) => taken.has(id))) {
    throw new InvalidOp('document: spanner ids must be unique in the score');
  }
  doc.spanners = cleaned.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

/** Swap in a whole document (an import, or a restore to an earlier version). */
function replaceDocument(doc, op) {
  const fresh = cleanDocument(get(op, 'doc'));
  const old = snapshot(doc);
  for (const k of Object.keys(doc)) delete doc[k];
  Object.assign(doc, fresh);
  return [{ op: 'replace_document', doc: old }];
}

/** The form fields of a measure spec (barline, repeats, ending), checked. */
function checkForm(spec, what) {
  const out = {};
  for (const name of FORM_FIELDS) {
    const value = get(spec, name);
    if (value !== null) {
      const problem = formProblem(name, value);
      if (problem !== null) throw new InvalidOp(`${what}: ${problem}`);
      out[name] = snapshot(value);
    }
  }
  return out;
}

/** Set or clear (`value` null) one form field of a measure: barline, repeat, ending. */
function setForm(doc, op) {
  const measure = measureOf(doc, op)[1];
  const name = field(op, 'field', 'str');
  const value = get(op, 'value');
  if (!FORM_FIELDS.includes(name)) {
    throw new InvalidOp(`set_form: field must be one of ${FORM_FIELDS.join(', ')}`);
  }
  if (value !== null) {
    const problem = formProblem(name, value);
    if (problem !== null) throw new InvalidOp(`set_form: ${problem}`);
  }
  const old = hasOwn(measure, name) ? measure[name] : null;
  if (value === null) delete measure[name];
  else measure[name] = snapshot(value);
  return [{ op: 'set_form', measure: measure.id, field: name, value: old }];
}

export const HANDLERS = {
  set_form: setForm,
  set_time: setTime,
  set_key: setKey,
  set_tempo: setTempo,
  insert_measures: insertMeasures,
  remove_measures: removeMeasures,
  add_part: addPart,
  remove_part: removePart,
  set_part: setPart,
  set_meta: setMeta,
  replace_document: replaceDocument,
};
