// Where a comment's anchor points in a document: the JS mirror of
// server/comments/anchors.py ``locate`` (same inputs, same answers; see
// tests/js/comment_anchors.test.mjs). Pure: the page re-locates every anchor against
// its own document after each edit, so markers follow notes before the server answers.

/** ``{state: "attached", part?, measure?, first, last, event?, note?}`` or ``{state: "detached"}``. */
export function locate(anchor, doc) {
  const order = new Map(doc.measures.map((m, i) => [m.id, i]));
  const detached = { state: "detached" };
  if (!anchor) return detached;
  if (anchor.kind === "event") {
    const found = findEvent(doc, anchor.event);
    // A deleted note leaves a rest with the same id: the note it was about is gone.
    if (!found || !found.event.notes.length) return detached;
    if (anchor.note && !found.event.notes.some((n) => n.id === anchor.note)) return detached;
    const number = order.get(found.measure) + 1;
    const where = { state: "attached", part: found.part, measure: found.measure, first: number, last: number, event: anchor.event };
    if (anchor.note) where.note = anchor.note;
    return where;
  }
  if (anchor.kind === "measures") {
    if (anchor.part && !doc.parts.some((p) => p.id === anchor.part)) return detached;
    const kept = (anchor.measures || []).filter((m) => order.has(m)).map((m) => order.get(m)).sort((a, b) => a - b);
    if (!kept.length) return detached;
    const where = { state: "attached", measure: doc.measures[kept[0]].id, first: kept[0] + 1, last: kept[kept.length - 1] + 1 };
    if (anchor.part) where.part = anchor.part;
    return where;
  }
  if (anchor.kind === "part") {
    return doc.parts.some((p) => p.id === anchor.part) ? { state: "attached", part: anchor.part } : detached;
  }
  return detached;
}

function findEvent(doc, eventId) {
  for (const part of doc.parts) {
    for (const [measure, bar] of Object.entries(part.bars)) {
      for (const events of Object.values(bar.voices)) {
        const event = events.find((e) => e.id === eventId);
        if (event) return { part: part.id, measure, event };
      }
    }
  }
  return null;
}

/** "note in m. 3, Soprano", "mm. 2–4", "Alto", or "detached (was m. 3)". */
export function describe(anchor, location, doc) {
  const measures = (w) => (w.first === w.last || w.last === undefined ? `m. ${w.first}` : `mm. ${w.first}–${w.last}`);
  if (location.state !== "attached") {
    const was = (anchor && anchor.was) || {};
    return was.first ? `detached (was ${measures(was)})` : "detached";
  }
  const part = location.part ? doc.parts.find((p) => p.id === location.part) : null;
  const name = part ? part.name : "";
  if (anchor.kind === "part") return name;
  const what = anchor.kind === "event" ? "note in " : "";
  return `${what}${measures(location)}${name ? `, ${name}` : ""}`;
}

/**
 * The anchor to request for what is selected. ``scope``: "auto" (one note or chord: it;
 * otherwise the selected measures), "measures" (the selection's measures in its part) or
 * "part" (the first selected event's part).
 */
export function anchorForSelection(index, selection, note, scope = "auto") {
  const events = selection.map((id) => index.events.get(id)).filter(Boolean);
  if (!events.length) return null;
  if (scope === "part") return { kind: "part", part: events[0].part };
  if (scope === "auto" && events.length === 1 && events[0].event.notes.length) {
    const anchor = { kind: "event", event: events[0].event.id };
    if (note && events[0].event.notes.length > 1) anchor.note = note;
    return anchor;
  }
  const numbers = events.map((e) => e.measureIndex);
  const first = index.doc.measures[Math.min(...numbers)].id;
  const last = index.doc.measures[Math.max(...numbers)].id;
  return { kind: "measures", first, last, part: events[0].part };
}
