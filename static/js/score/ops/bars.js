// Ops on a part's bar as a whole and on what sits at a beat: chord symbols, dynamics, clefs.
// Mirror of server/score/ops/bars.py; pure.

import { formatFraction, parseFraction } from '../durations.js';
import { InvalidOp } from '../errors.js';
import { CLEFS, CLEFS_REPR, lengthOf, voiceLength } from '../model.js';
import {
  get,
  hasOwn,
  inTuple,
  isDict,
  isList,
  isStr,
  pyLen,
  pyRepr,
  pyStrip,
  setOwn,
  truthy,
  unknownKeys,
} from '../py.js';
import {
  barOf,
  checkId,
  checkVoiceSize,
  cleanEvent,
  eventIds,
  field,
  fraction,
  requireUnused,
  snapshot,
} from './common.js';

export const DYNAMICS = ['ppp', 'pp', 'p', 'mp', 'mf', 'f', 'ff', 'fff', 'sf', 'sfz', 'fp', 'rfz'];
const DYNAMICS_REPR = `(${DYNAMICS.map((d) => `'${d}'`).join(', ')})`;
export const MAX_SYMBOL = 32;

/** Python's iteration over `raw.get(kind) or []`: lists give items, dicts and strs give keys. */
function pyItems(value, what) {
  if (!truthy(value)) return [];
  if (isList(value)) return value;
  if (isDict(value)) return Object.keys(value);
  if (isStr(value)) return [...value];
  throw new TypeError(`'${what}' object is not iterable`);
}

/** A validated bar in canonical form, its voices filling `measure` exactly. */
export function cleanBar(doc, measure, raw) {
  if (!isDict(raw) || !isDict(get(raw, 'voices'))) {
    throw new InvalidOp('bar must be an object with voices');
  }
  const unknown = unknownKeys(raw, ['voices', 'harmonies', 'dynamics', 'clef']);
  if (unknown.length) throw new InvalidOp(`bar: unknown fields ${pyRepr(unknown)}`);
  const length = lengthOf(doc, measure);
  const voices = {};
  for (const [voice, events] of Object.entries(raw.voices)) {
    if (!['1', '2', '3', '4'].includes(voice) || !isList(events)) {
      throw new InvalidOp(`bar: bad voice ${pyRepr(voice)}`);
    }
    voices[voice] = checkVoiceSize(events.map(cleanEvent), 'bar');
    if (!voiceLength(voices[voice]).eq(length)) {
      throw new InvalidOp(`bar: voice ${voice} does not fill measure ${measure} exactly`);
    }
  }
  if (!hasOwn(voices, '1')) throw new InvalidOp('bar: voice 1 is required');
  const bar = { voices };
  for (const [kind, valueKey] of [
    ['harmonies', 'symbol'],
    ['dynamics', 'mark'],
  ]) {
    const one = kind.slice(0, -1);
    const items = [];
    for (const item of pyItems(get(raw, kind), kind)) {
      if (!isDict(item)) throw new InvalidOp(`bar: ${kind} must hold objects`);
      const offset = fraction(item, 'offset');
      if (offset.ge(length)) {
        throw new InvalidOp(`bar: a ${one} lies beyond the end of measure ${measure}`);
      }
      const value = get(item, valueKey);
      if (!isStr(value) || !value) throw new InvalidOp(`bar: ${one} needs a ${valueKey}`);
      items.push({
        id: checkId(get(item, 'id'), one),
        offset: formatFraction(offset),
        [valueKey]: value,
      });
    }
    items.sort((a, b) => parseFraction(a.offset).cmp(parseFraction(b.offset)));
    if (new Set(items.map((x) => x.offset)).size !== items.length) {
      throw new InvalidOp(`bar: two ${kind} at one offset`);
    }
    if (items.length) bar[kind] = items;
  }
  const clef = get(raw, 'clef');
  if (clef !== null) {
    if (!inTuple(clef, CLEFS)) throw new InvalidOp(`bar: clef must be one of ${CLEFS_REPR}`);
    bar.clef = clef;
  }
  return bar;
}

export function barIds(bar) {
  const ids = [];
  for (const events of Object.values(bar.voices)) ids.push(...eventIds(events));
  for (const kind of ['harmonies', 'dynamics']) for (const x of get(bar, kind, [])) ids.push(x.id);
  return ids;
}

function setBar(doc, op) {
  const [part, measure, bar] = barOf(doc, op);
  const fresh = cleanBar(doc, measure, get(op, 'bar'));
  requireUnused(doc, barIds(fresh), { exceptIds: new Set(barIds(bar)) });
  setOwn(part.bars, measure, fresh);
  return [{ op: 'set_bar', part: part.id, measure, bar: snapshot(bar) }];
}

/**
 * Replace several bars at once (the undo of a time change that refitted them).
 *
 * IDs are checked against the document minus *all* the replaced bars, so bars that swap
 * IDs between them are restored together without a transient clash.
 */
function setBars(doc, op) {
  const items = field(op, 'bars', 'list');
  const targets = [];
  for (const item of items) {
    if (!isDict(item)) throw new InvalidOp('set_bars: bars must hold {part, measure, bar} objects');
    targets.push(barOf(doc, { ...item, op: 'set_bars' }));
  }
  const keys = targets.map(([part, measure]) => JSON.stringify([part.id, measure]));
  if (new Set(keys).size !== targets.length) {
    throw new InvalidOp('set_bars: the same bar is given twice');
  }
  const newBars = targets.map(([, measure], k) => cleanBar(doc, measure, get(items[k], 'bar')));
  const oldIds = new Set(targets.flatMap(([, , bar]) => barIds(bar)));
  requireUnused(doc, newBars.flatMap(barIds), { exceptIds: oldIds });
  const inverseItems = [];
  targets.forEach(([part, measure, bar], k) => {
    inverseItems.push({ part: part.id, measure, bar: snapshot(bar) });
    setOwn(part.bars, measure, newBars[k]);
  });
  return [{ op: 'set_bars', bars: inverseItems }];
}

/** Put, change or clear (`value` null) the item of `kind` at an offset. */
function setAtOffset(doc, op, kind, valueKey, value) {
  const [part, measure, bar] = barOf(doc, op);
  const offset = fraction(op, 'offset');
  if (offset.ge(lengthOf(doc, measure))) {
    throw new InvalidOp(`${op.op}: offset lies beyond the end of measure ${measure}`);
  }
  const key = formatFraction(offset);
  const items = get(bar, kind, []);
  const current = items.find((x) => x.offset === key) || null;
  const inverse = { op: op.op, part: part.id, measure, offset: key };
  inverse[valueKey] = current ? current[valueKey] : null;
  if (current !== null) inverse.id = current.id;
  if (value === null) {
    if (current !== null) items.splice(items.indexOf(current), 1);
  } else if (current !== null) {
    current[valueKey] = value;
  } else {
    const itemId = checkId(get(op, 'id'), kind.slice(0, -1));
    requireUnused(doc, [itemId]);
    items.push({ id: itemId, offset: key, [valueKey]: value });
    items.sort((a, b) => parseFraction(a.offset).cmp(parseFraction(b.offset)));
    bar[kind] = items;
  }
  if (!items.length) delete bar[kind];
  return [inverse];
}

function setChordSymbol(doc, op) {
  const symbol = field(op, 'symbol', 'str', { optional: true });
  if (symbol !== null && !(pyLen(pyStrip(symbol)) > 0 && pyLen(pyStrip(symbol)) <= MAX_SYMBOL)) {
    throw new InvalidOp(`set_chord_symbol: a symbol has 1..${MAX_SYMBOL} characters`);
  }
  return setAtOffset(doc, op, 'harmonies', 'symbol', symbol ? pyStrip(symbol) : null);
}

function setDynamic(doc, op) {
  const mark = field(op, 'mark', 'str', { optional: true });
  if (mark !== null && !DYNAMICS.includes(mark)) {
    throw new InvalidOp(`set_dynamic: mark must be one of ${DYNAMICS_REPR}`);
  }
  return setAtOffset(doc, op, 'dynamics', 'mark', mark);
}

/** A clef change at the start of one bar of one part (null removes it). */
function setClef(doc, op) {
  const [part, measure, bar] = barOf(doc, op);
  const clef = field(op, 'clef', 'str', { optional: true });
  if (clef !== null && !CLEFS.includes(clef)) {
    throw new InvalidOp(`set_clef: clef must be one of ${CLEFS_REPR}`);
  }
  const old = get(bar, 'clef');
  if (clef === null) delete bar.clef;
  else bar.clef = clef;
  return [{ op: 'set_clef', part: part.id, measure, clef: old }];
}

export const HANDLERS = {
  set_bar: setBar,
  set_bars: setBars,
  set_chord_symbol: setChordSymbol,
  set_dynamic: setDynamic,
  set_clef: setClef,
};
