// Python semantics the mirror needs to decide exactly as server/score does: type tests,
// truthiness, code-point lengths, str.strip(), repr() for messages, own-key access.
// Pure: imports only ./fraction.js.

import { PY_WS } from './fraction.js';

export const hasOwn = (obj, key) => Object.prototype.hasOwnProperty.call(obj, key);

/** obj[key] if it is an own property, else undefined (ids such as "constructor" are legal). */
export function own(obj, key) {
  return hasOwn(obj, key) ? obj[key] : undefined;
}

/** obj[key] = value even for keys such as "__proto__", which are legal ids. */
export function setOwn(obj, key, value) {
  Object.defineProperty(obj, key, { value, writable: true, enumerable: true, configurable: true });
}

/** Python dict.get(key, fallback) on a JSON object: absent keys give the fallback. */
export function get(obj, key, fallback = null) {
  return hasOwn(obj, key) ? obj[key] : fallback;
}

export const isDict = (v) => v !== null && typeof v === 'object' && !Array.isArray(v);
export const isList = Array.isArray;
export const isStr = (v) => typeof v === 'string';
export const isBool = (v) => typeof v === 'boolean';
/** isinstance(v, int) and not a bool. */
export const isInt = (v) => typeof v === 'number' && Number.isInteger(v);
/** isinstance(v, (int, float)) and not a bool. */
export const isNumber = (v) => typeof v === 'number' && Number.isFinite(v);

/** Python truthiness of JSON data. */
export function truthy(v) {
  if (v === null || v === undefined || v === false || v === 0 || v === '') return false;
  if (Array.isArray(v)) return v.length > 0;
  if (typeof v === 'object') return Object.keys(v).length > 0;
  return true;
}

/** len() of a str: code points, not UTF-16 units. */
export function pyLen(text) {
  let n = 0;
  for (const _ of text) n += 1;
  return n;
}

const STRIP = new RegExp(`^[${PY_WS}]+|[${PY_WS}]+$`, 'g');
/** str.strip() with Python's whitespace set (differs from String.prototype.trim). */
export const pyStrip = (text) => text.replace(STRIP, '');

/** str(value) for JSON data, as Python prints it. */
export function pyStr(v) {
  if (typeof v === 'string') return v;
  return pyRepr(v);
}

function reprString(s) {
  const quote = s.includes("'") && !s.includes('"') ? '"' : "'";
  let out = quote;
  for (const ch of s) {
    const cp = ch.codePointAt(0);
    if (ch === quote || ch === '\\') out += `\\${ch}`;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (cp < 0x20 || (cp >= 0x7f && cp < 0xa1) || cp === 0xad) {
      out += `\\x${cp.toString(16).padStart(2, '0')}`;
    } else out += ch;
  }
  return out + quote;
}

/** repr() of JSON data, for error messages that quote the offending value. */
export function pyRepr(v) {
  if (v === null || v === undefined) return 'None';
  if (v === true) return 'True';
  if (v === false) return 'False';
  if (typeof v === 'number') {
    // Integers print in full as Python does (2**60, not 1152921504606847000).
    return Number.isInteger(v) ? BigInt(v).toString() : String(v);
  }
  if (typeof v === 'string') return reprString(v);
  if (Array.isArray(v)) return `[${v.map(pyRepr).join(', ')}]`;
  if (typeof v === 'object') {
    const items = Object.keys(v).map((k) => `${reprString(k)}: ${pyRepr(v[k])}`);
    return `{${items.join(', ')}}`;
  }
  return String(v);
}

/** sorted() of strings (by code point, as Python compares str). */
export function sortedStrings(values) {
  return [...values].sort((a, b) => {
    const x = [...a].map((c) => c.codePointAt(0));
    const y = [...b].map((c) => c.codePointAt(0));
    for (let i = 0; i < Math.min(x.length, y.length); i += 1) {
      if (x[i] !== y[i]) return x[i] - y[i];
    }
    return x.length - y.length;
  });
}

/** Keys of a JSON object that are not in ``allowed``, sorted: Python's set(raw) - {...}. */
export function unknownKeys(raw, allowed) {
  return sortedStrings(Object.keys(raw).filter((k) => !allowed.includes(k)));
}

/** A deep private copy of JSON data (copy.deepcopy); keeps odd keys such as "__proto__". */
export function deepCopy(value) {
  if (value === undefined) return null;
  return JSON.parse(JSON.stringify(value));
}

/** Python == on JSON data (dict key order ignored, list order kept). */
export function pyEqual(a, b) {
  if (a === b) return true;
  if (typeof a !== typeof b || a === null || b === null || typeof a !== 'object') return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) return a.length === b.length && a.every((x, i) => pyEqual(x, b[i]));
  const ka = Object.keys(a);
  if (ka.length !== Object.keys(b).length) return false;
  return ka.every((k) => hasOwn(b, k) && pyEqual(a[k], b[k]));
}

/** Python's `x in (a, b, ...)` for a tuple of JSON scalars (True == 1 in Python). */
export function inTuple(x, tuple) {
  return tuple.some((t) => t === x || (typeof x === 'boolean' && t === Number(x)));
}
