// Converts a Tutti score document (see server/score/model.py) to MEI for Verovio.
// Our element IDs become xml:ids, so every note, rest, chord symbol and dynamic
// is an SVG element with the same id. Pure: no DOM, no network, no Verovio.

const NS = "http://www.music-encoding.org/ns/mei";
const STEP_SEMITONES = { C: 0, D: 2, E: 4, F: 5, G: 7, A: 9, B: 11 };
const SHARP_ORDER = "FCGDAEB";
const FLAT_ORDER = "BEADGCF";
const CLEFS = {
  treble: '<clef shape="G" line="2"/>',
  bass: '<clef shape="F" line="4"/>',
  alto: '<clef shape="C" line="3"/>',
  tenor: '<clef shape="C" line="4"/>',
  treble8vb: '<clef shape="G" line="2" dis="8" dis.place="below"/>',
  percussion: '<clef shape="perc"/>',
};
// Marks drawn as <artic> inside the note or chord, and those drawn as control events.
const ARTIC = { staccato: "stacc", staccatissimo: "stacciss", accent: "acc", tenuto: "ten", marcato: "marc" };
const ORNAMENTS = {
  fermata: (id) => `<fermata startid="#${id}" place="above"/>`,
  trill: (id) => `<trill startid="#${id}" place="above"/>`,
  mordent: (id) => `<mordent startid="#${id}" form="lower" place="above"/>`,
  inverted_mordent: (id) => `<mordent startid="#${id}" form="upper" place="above"/>`,
  turn: (id) => `<turn startid="#${id}" form="upper" place="above"/>`,
  arpeggio: (id) => `<arpeg plist="#${id}"/>`,
};
const ACCID = { "-2": "ff", "-1": "f", 0: "n", 1: "s", 2: "x" };
const ACCID_GES = { "-2": "ff", "-1": "f", 0: "n", 1: "s", 2: "ss" };

export function esc(text) {
  return String(text)
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;");
}

// --- rational arithmetic on [num, den] pairs, enough for durations -------------

function gcd(a, b) {
  a = Math.abs(a);
  b = Math.abs(b);
  while (b) [a, b] = [b, a % b];
  return a || 1;
}

export function frac(n, d = 1) {
  const g = gcd(n, d);
  return [n / g, d / g];
}

export function add(a, b) {
  return frac(a[0] * b[1] + b[0] * a[1], a[1] * b[1]);
}

export function parseFrac(text) {
  const [n, d] = String(text).split("/");
  return frac(Number(n), d === undefined ? 1 : Number(d));
}

export function durValue(dur) {
  // base * (2 - 1/2^dots) * normal/actual
  const dots = dur.dots || 0;
  let v = frac(2 ** (dots + 1) - 1, dur.type * 2 ** dots);
  if (dur.tuplet) v = frac(v[0] * dur.tuplet[1], v[1] * dur.tuplet[0]);
  return v;
}

const isBinary = (f) => (f[1] & (f[1] - 1)) === 0;
const lt = (a, b) => a[0] * b[1] < b[0] * a[1];
const eq = (a, b) => a[0] === b[0] && a[1] === b[1];

export function toMidi(note) {
  return 12 * (note.octave + 1) + STEP_SEMITONES[note.step] + (note.alter || 0);
}

// --- measure attributes in force -------------------------------------------------

export function attrsAt(doc, index) {
  const out = { time: [4, 4], key: 0, tempo: 120 };
  for (let i = 0; i <= index; i++) {
    const m = doc.measures[i];
    for (const k of ["time", "key", "tempo"]) if (k in m) out[k] = m[k];
  }
  return out;
}

export function clefAt(doc, part, index) {
  let clef = part.clef || "treble";
  for (let i = 0; i <= index; i++) {
    const bar = part.bars[doc.measures[i].id];
    if (bar && bar.clef) clef = bar.clef;
  }
  return clef;
}

function keySigAttr(key) {
  return key > 0 ? `${key}s` : key < 0 ? `${-key}f` : "0";
}

function keyAlters(key) {
  const alters = {};
  if (key > 0) for (const s of SHARP_ORDER.slice(0, key)) alters[s] = 1;
  if (key < 0) for (const s of FLAT_ORDER.slice(0, -key)) alters[s] = -1;
  return alters;
}

// --- ties: a tied note continues into the next event of its voice --------------

function tiePairs(doc, start, end) {
  // [{from, to, fromMeasure, toMeasure, staff}] for ties touching measures [start, end):
  // a tied note continues into the next event of its voice (maybe in the next bar).
  const pairs = [];
  const first = Math.max(0, start - 1);
  const last = Math.min(end + 1, doc.measures.length);
  doc.parts.forEach((part, p) => {
    const voices = {};
    for (let i = first; i < last; i++) {
      const bar = part.bars[doc.measures[i].id];
      for (const [v, events] of Object.entries(bar.voices)) {
        (voices[v] = voices[v] || []).push(...events.map((e) => [i, e]));
      }
    }
    for (const seq of Object.values(voices)) {
      for (let k = 0; k + 1 < seq.length; k++) {
        const [i, ev] = seq[k];
        const [j, next] = seq[k + 1];
        if (j < start || i >= end) continue;
        for (const n of ev.notes) {
          if (!n.tie) continue;
          const target = next.notes.find((m) => toMidi(m) === toMidi(n));
          if (target) {
            pairs.push({ from: n.id, to: target.id, fromMeasure: i, toMeasure: j, staff: p + 1 });
          }
        }
      }
    }
  });
  return pairs;
}

/** The <tie> elements measure ``i`` of a slice [start, end) carries. */
function tiesXml(pairs, i, start, end, time) {
  const out = [];
  for (const t of pairs) {
    if (t.fromMeasure === i && t.toMeasure < end) {
      out.push(`<tie startid="#${esc(t.from)}" endid="#${esc(t.to)}"/>`);
    } else if (t.fromMeasure === i) {
      // The tie goes on into the next system: draw it to the end of this bar.
      out.push(`<tie startid="#${esc(t.from)}" tstamp2="0m+${time[0] + 1}"/>`);
    } else if (t.toMeasure === i && t.fromMeasure < start) {
      // A tie coming from the previous system: an arc into the note.
      out.push(`<tie staff="${t.staff}" tstamp="0" endid="#${esc(t.to)}"/>`);
    }
  }
  return out;
}

// --- spanners: slurs, hairpins, ottava lines, pedal marks ------------------------------

const OTTAVA = { "8va": [8, "above", 1], "8vb": [8, "below", -1], "15ma": [15, "above", 2], "15mb": [15, "below", -2] };

/** Where each spanner end is: event id -> {mi, offset, staff, drawn id}. */
function spannerEnds(doc) {
  const wanted = new Set();
  for (const sp of doc.spanners || []) wanted.add(sp.start).add(sp.end);
  const out = new Map();
  if (!wanted.size) return out;
  doc.parts.forEach((part, p) => {
    doc.measures.forEach((m, mi) => {
      for (const events of Object.values(part.bars[m.id].voices)) {
        let offset = frac(0);
        for (const e of events) {
          if (wanted.has(e.id)) {
            // A lone note is drawn with the note's id (see eventXml).
            const drawn = e.notes.length === 1 ? e.notes[0].id : e.id;
            out.set(e.id, { mi, offset, staff: p + 1, drawn });
          }
          offset = add(offset, durValue(e.dur));
        }
      }
    });
  });
  return out;
}

function spannerTag(kind) {
  if (kind === "slur") return ["slur", ""];
  if (kind === "crescendo" || kind === "diminuendo") {
    return ["hairpin", ` form="${kind === "crescendo" ? "cres" : "dim"}" place="below"`];
  }
  if (OTTAVA[kind]) return ["octave", ` dis="${OTTAVA[kind][0]}" dis.place="${OTTAVA[kind][1]}"`];
  return ["pedal", ' dir="down" form="line"'];
}

/**
 * The control events measure ``i`` of a slice [start, end) draws for spanners: each in
 * the first of its measures inside the slice; an end outside the slice is drawn to or
 * from the slice's edge (the rest is drawn by the neighbouring slice).
 */
function spannersXml(doc, ends, i, start, end, time) {
  const out = [];
  for (const sp of doc.spanners || []) {
    const a = ends.get(sp.start);
    const b = ends.get(sp.end);
    if (!a || !b) continue;
    const first = Math.max(a.mi, start);
    if (first !== i || b.mi < start || a.mi >= end) continue;
    const [tag, extra] = spannerTag(sp.kind);
    const from = a.mi >= start ? ` startid="#${esc(a.drawn)}"` : ` staff="${a.staff}" tstamp="0"`;
    const to = b.mi < end ? ` endid="#${esc(b.drawn)}"` : ` tstamp2="${end - 1 - i}m+${time[0] + 1}"`;
    out.push(`<${tag} xml:id="${esc(sp.id)}"${extra}${from}${to}/>`);
  }
  return out;
}

/** Octave shifts in force per staff: [[from {mi, offset}, to {mi, offset}, octaves]]. */
function ottavaRanges(doc, ends) {
  const ranges = {};
  for (const sp of doc.spanners || []) {
    const a = ends.get(sp.start);
    const b = ends.get(sp.end);
    if (!OTTAVA[sp.kind] || !a || !b) continue;
    (ranges[a.staff] = ranges[a.staff] || []).push([a, b, OTTAVA[sp.kind][2]]);
  }
  return ranges;
}

const atOrAfter = (mi, offset, at) => mi > at.mi || (mi === at.mi && !lt(offset, at.offset));
const atOrBefore = (mi, offset, at) => mi < at.mi || (mi === at.mi && !lt(at.offset, offset));

/** How many octaves notes at (mi, offset) of a staff are written below their sound. */
function octaveShift(ranges, mi, offset) {
  for (const [a, b, octaves] of ranges || []) {
    if (atOrAfter(mi, offset, a) && atOrBefore(mi, offset, b)) return octaves;
  }
  return 0;
}

// --- events -------------------------------------------------------------------------

function durAttrs(dur) {
  return ` dur="${dur.type === 1 ? 1 : dur.type}"` + (dur.dots ? ` dots="${dur.dots}"` : "");
}

function noteXml(note, state, tiedInto, verse, extra = "") {
  const alter = note.alter || 0;
  // Under an 8va line a note is written an octave below where it sounds.
  const written = note.octave - (state.shift || 0);
  const key = `${note.step}${written}`;
  const current = key in state.measure ? state.measure[key] : state.key[note.step] || 0;
  let accid = "";
  if (tiedInto.has(note.id)) {
    accid = alter ? ` accid.ges="${ACCID_GES[alter]}"` : "";
  } else if (current !== alter) {
    accid = ` accid="${ACCID[alter]}"`;
  } else if (alter) {
    accid = ` accid.ges="${ACCID_GES[alter]}"`;
  }
  state.measure[key] = alter;
  const pname = note.step.toLowerCase();
  const ges = written !== note.octave ? ` oct.ges="${note.octave}"` : "";
  const attrs = `xml:id="${esc(note.id)}" pname="${pname}" oct="${written}"${ges}${accid}`;
  const body = extra + verse;
  return body ? `<note ${attrs}${state.durAttr}>${body}</note>` : `<note ${attrs}${state.durAttr}/>`;
}

function versesXml(event, state) {
  if (!event.lyrics) return "";
  const open = state.dashes; // verse -> the previous syllable ended with "-"
  return Object.entries(event.lyrics)
    .map(([n, text]) => {
      // "Eve-" is a syllable continued by the next one: drawn with a dash connector.
      const dash = text.length > 1 && text.endsWith("-");
      const pos = dash ? (open[n] ? "m" : "i") : open[n] ? "t" : "";
      open[n] = dash;
      const attrs = (pos ? ` wordpos="${pos}"` : "") + (dash ? ' con="d"' : "");
      return `<verse n="${n}"><syl${attrs}>${esc(dash ? text.slice(0, -1) : text)}</syl></verse>`;
    })
    .join("");
}

/** The <artic> children of an event, and its ornaments as control events of the measure. */
function marksXml(event, drawnId, state) {
  const marks = event.marks || {};
  const artic = Object.keys(ARTIC)
    .filter((name) => marks[name])
    .map((name) => `<artic artic="${ARTIC[name]}"/>`)
    .join("");
  for (const name of Object.keys(ORNAMENTS)) {
    if (marks[name]) state.controls.push(ORNAMENTS[name](esc(drawnId)));
  }
  return artic;
}

/** A tremolo (strokes through the stem) wraps its note or chord in <bTrem>. */
function tremoloXml(event, xml) {
  const strokes = (event.marks || {}).tremolo;
  return strokes ? `<bTrem unitdur="${Math.min(2 ** (strokes + 2), 128)}">${xml}</bTrem>` : xml;
}

function eventXml(event, state, tiedInto, wholeRest) {
  const id = esc(event.id);
  if (!event.notes.length) {
    marksXml(event, event.id, state);
    if (wholeRest) return `<mRest xml:id="${id}"/>`;
    return `<rest xml:id="${id}"${durAttrs(event.dur)}/>`;
  }
  const verse = versesXml(event, state);
  if (event.notes.length === 1) {
    state.durAttr = durAttrs(event.dur);
    // A lone note keeps the note's id; the page maps note ids back to their event.
    const artic = marksXml(event, event.notes[0].id, state);
    return tremoloXml(event, noteXml(event.notes[0], state, tiedInto, verse, artic));
  }
  state.durAttr = "";
  const artic = marksXml(event, event.id, state);
  const notes = event.notes.map((n) => noteXml(n, state, tiedInto, "")).join("");
  return tremoloXml(event, `<chord xml:id="${id}"${durAttrs(event.dur)}>${notes}${artic}${verse}</chord>`);
}

function beatUnit(time) {
  // Compound meters (6/8, 9/8, 12/8) beam in dotted quarters, others by the beat.
  if (time[1] === 8 && time[0] % 3 === 0 && time[0] > 3) return frac(3, 8);
  return frac(1, time[1]);
}

function layerXml(events, state, tiedInto, time) {
  const out = [];
  const wholeRest = events.length === 1 && !events[0].notes.length;
  let offset = frac(0);
  let tuplet = null; // {key, raw, items}
  let beam = null; // {beat, items}
  const unit = beatUnit(time);
  const flushBeam = () => {
    if (!beam) return;
    const items = beam.items;
    beam = null;
    if (items.length > 1) out.push(`<beam>${items.join("")}</beam>`);
    else out.push(...items);
  };
  const emit = (xml) => (tuplet ? tuplet.items.push(xml) : out.push(xml));
  for (const event of events) {
    const value = durValue(event.dur);
    state.shift = state.shiftAt ? state.shiftAt(offset) : 0;
    const xml = eventXml(event, state, tiedInto, wholeRest);
    const t = event.dur.tuplet;
    if (t) {
      flushBeam();
      const key = `${t[0]}/${t[1]}`;
      if (tuplet && tuplet.key !== key) {
        out.push(tupletXml(tuplet));
        tuplet = null;
      }
      if (!tuplet) tuplet = { key, t, sum: frac(0), items: [] };
      tuplet.items.push(xml);
      tuplet.sum = add(tuplet.sum, value);
      if (isBinary(tuplet.sum)) {
        out.push(tupletXml(tuplet));
        tuplet = null;
      }
    } else {
      if (tuplet) {
        out.push(tupletXml(tuplet));
        tuplet = null;
      }
      const beat = Math.floor((offset[0] * unit[1]) / (offset[1] * unit[0]));
      const end = add(offset, value);
      const endBeat = (end[0] * unit[1]) / (end[1] * unit[0]);
      const beamable = event.notes.length && event.dur.type >= 8 && endBeat <= beat + 1;
      if (beamable) {
        if (beam && beam.beat !== beat) flushBeam();
        if (!beam) beam = { beat, items: [] };
        beam.items.push(xml);
      } else {
        flushBeam();
        emit(xml);
      }
    }
    offset = add(offset, value);
  }
  flushBeam();
  if (tuplet) out.push(tupletXml(tuplet));
  return out.join("");
}

function tupletXml(tuplet) {
  return `<tuplet num="${tuplet.t[0]}" numbase="${tuplet.t[1]}" bracket.visible="true">${tuplet.items.join("")}</tuplet>`;
}

function tstamp(offsetText, time) {
  const o = parseFrac(offsetText);
  return 1 + (o[0] * time[1]) / o[1];
}

function fmt(x) {
  return Number.isInteger(x) ? String(x) : x.toFixed(4).replace(/0+$/, "");
}

// --- whole score / slices ------------------------------------------------------------

function staffDefs(doc, index) {
  const attrs = attrsAt(doc, index);
  // A new system repeats clef and key but not the time signature, unless it changes here.
  const before = index > 0 ? attrsAt(doc, index - 1) : null;
  const meter =
    !before || String(before.time) !== String(attrs.time)
      ? `<meterSig count="${attrs.time[0]}" unit="${attrs.time[1]}"/>`
      : "";
  return doc.parts
    .map((part, i) => {
      const clef = CLEFS[clefAt(doc, part, index)] || CLEFS.treble;
      const label = index === 0 ? `<label>${esc(part.name || "")}</label>` : "";
      return (
        `<staffDef n="${i + 1}" lines="5">${label}${clef}` +
        `<keySig sig="${keySigAttr(attrs.key)}"/>${meter}</staffDef>`
      );
    })
    .join("");
}

function tempoXml(bpm) {
  return `<tempo tstamp="1" staff="1" place="above" midi.bpm="${bpm}" mm="${bpm}" mm.unit="4">\u2669 = ${bpm}</tempo>`;
}

// --- form: barlines, repeats, endings -----------------------------------------------------

const BARLINE_STYLES = { double: "dbl", final: "end", dashed: "dashed" };

/** The measure's left/right barline attributes. */
function barlineAttrs(m) {
  const right = m.repeat_end ? "rptend" : BARLINE_STYLES[m.barline];
  return (m.repeat_start ? ' left="rptstart"' : "") + (right ? ` right="${right}"` : "");
}

/** A rehearsal mark, boxed, over the measure's start. */
function rehearsalXml(m) {
  if (!m.rehearsal) return [];
  return [`<reh staff="1" tstamp="1" place="above"><rend rend="box">${esc(m.rehearsal)}</rend></reh>`];
}

/** "Play 3×" over an end repeat taken more than once. */
function repeatTimesXml(m, time) {
  if (!m.repeat_end || m.repeat_end === 2) return [];
  return [`<dir staff="1" tstamp="${time[0]}" place="above">${m.repeat_end}×</dir>`];
}

/** Wraps runs of measures with the same ending numbers in <ending> (a volta bracket). */
class Endings {
  constructor(out) {
    this.out = out;
    this.key = null;
    this.items = [];
  }
  add(m, xml) {
    const key = m.ending ? m.ending.join(",") : null;
    if (key !== this.key) this.close();
    if (key === null) this.out.push(xml);
    else {
      this.key = key;
      this.items.push(xml);
    }
  }
  close() {
    if (this.key !== null) {
      const label = this.key.split(",").map((n) => `${n}.`).join(" ");
      this.out.push(`<ending n="${this.key.split(",")[0]}" label="${label}">${this.items.join("")}</ending>`);
    }
    this.key = null;
    this.items = [];
  }
}

/** MEI for measures [start, end) of ``doc``; a complete, standalone MEI file. */
export function sliceMei(doc, start = 0, end = doc.measures.length) {
  const pairs = tiePairs(doc, start, end);
  const tiedInto = new Set(pairs.map((t) => t.to));
  const ends = spannerEnds(doc);
  const ottavas = ottavaRanges(doc, ends);
  const parts = [];
  const endings = new Endings(parts);
  const dashes = {}; // "part/voice" -> open hyphenated words, carried across bars
  let prev = start > 0 ? attrsAt(doc, start - 1) : null;
  for (let i = start; i < end; i++) {
    const m = doc.measures[i];
    const attrs = attrsAt(doc, i);
    if (i > start && prev) {
      // Key, time and clef changes go in a scoreDef before the bar; Verovio then draws a
      // clef change before the barline, as engravers do.
      let change = "";
      if (attrs.key !== prev.key) change += `<keySig sig="${keySigAttr(attrs.key)}"/>`;
      if (String(attrs.time) !== String(prev.time))
        change += `<meterSig count="${attrs.time[0]}" unit="${attrs.time[1]}"/>`;
      const clefs = doc.parts
        .map((part, p) => {
          const clef = part.bars[m.id].clef;
          return clef && CLEFS[clef] ? `<staffDef n="${p + 1}">${CLEFS[clef]}</staffDef>` : "";
        })
        .join("");
      if (clefs) change += `<staffGrp>${clefs}</staffGrp>`;
      if (change) endings.add(m, `<scoreDef>${change}</scoreDef>`);
    }
    const staves = [];
    const controls = [];
    doc.parts.forEach((part, p) => {
      const bar = part.bars[m.id];
      const keyMap = keyAlters(attrs.key);
      const layers = Object.keys(bar.voices)
        .sort()
        .map((v) => {
          const dashKey = `${part.id}/${v}`;
          dashes[dashKey] = dashes[dashKey] || {};
          const state = { key: keyMap, measure: {}, durAttr: "", dashes: dashes[dashKey], controls };
          if (ottavas[p + 1]) state.shiftAt = (offset) => octaveShift(ottavas[p + 1], i, offset);
          const body = layerXml(bar.voices[v], state, tiedInto, attrs.time);
          return `<layer n="${v}">${body}</layer>`;
        });
      staves.push(`<staff n="${p + 1}">${layers.join("")}</staff>`);
      for (const h of bar.harmonies || []) {
        const ts = fmt(tstamp(h.offset, attrs.time));
        controls.push(
          `<harm xml:id="${esc(h.id)}" staff="${p + 1}" tstamp="${ts}" place="above">${esc(h.symbol)}</harm>`,
        );
      }
      for (const d of bar.dynamics || []) {
        const ts = fmt(tstamp(d.offset, attrs.time));
        controls.push(
          `<dynam xml:id="${esc(d.id)}" staff="${p + 1}" tstamp="${ts}" place="below">${esc(d.mark)}</dynam>`,
        );
      }
    });
    if (i === 0 || (prev && attrs.tempo !== prev.tempo) || (i === start && "tempo" in m)) {
      controls.push(tempoXml(attrs.tempo));
    }
    controls.push(...tiesXml(pairs, i, start, end, attrs.time));
    controls.push(...spannersXml(doc, ends, i, start, end, attrs.time));
    controls.push(...repeatTimesXml(m, attrs.time));
    controls.push(...rehearsalXml(m));
    endings.add(
      m,
      `<measure n="${i + 1}" xml:id="${esc(m.id)}"${barlineAttrs(m)}>${staves.join("")}${controls.join("")}</measure>`,
    );
    prev = attrs;
  }
  endings.close();
  const group = doc.parts.length > 1 ? ' symbol="bracket" bar.thru="false"' : "";
  return (
    `<?xml version="1.0" encoding="UTF-8"?>` +
    `<mei xmlns="${NS}" meiversion="5.0"><meiHead><fileDesc><titleStmt><title>${esc(doc.title || "")}</title></titleStmt><pubStmt/></fileDesc></meiHead>` +
    `<music><body><mdiv><score><scoreDef><staffGrp${group}>${staffDefs(doc, start)}</staffGrp></scoreDef>` +
    `<section>${parts.join("")}</section></score></mdiv></body></music></mei>`
  );
}

/** Measure ranges [start, end) of ``size`` measures each: the unit of re-engraving. */
export function sliceRanges(doc, size) {
  const ranges = [];
  for (let i = 0; i < doc.measures.length; i += size) {
    ranges.push([i, Math.min(i + size, doc.measures.length)]);
  }
  return ranges;
}
