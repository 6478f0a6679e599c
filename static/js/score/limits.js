// How big a score may be: mirror of server/score/limits.py (the limits the ops enforce).
// Pure. Text validity (lone surrogates) and NaN are refused at the server's edge.

export const MAX_MEASURES = 2000;
export const MAX_PARTS = 64;
export const MAX_BARS = 32000;
export const MAX_EVENTS_PER_VOICE = 256;
export const MAX_EVENTS = 200000;

/** Every limit a whole document breaks (counts only), as server/score/limits.size_problems. */
export function sizeProblems(doc) {
  const problems = [];
  const measures = (doc.measures || []).length;
  const parts = doc.parts || [];
  if (measures > MAX_MEASURES) {
    problems.push(`a score holds at most ${MAX_MEASURES} measures, this one ${measures}`);
  }
  if (parts.length > MAX_PARTS) {
    problems.push(`a score holds at most ${MAX_PARTS} parts, this one ${parts.length}`);
  }
  if (measures * parts.length > MAX_BARS) {
    problems.push(
      `measures x parts may be at most ${MAX_BARS}, this score has ${measures} x ${parts.length}`,
    );
  }
  let total = 0;
  for (const part of parts) {
    for (const bar of Object.values(part.bars || {})) {
      for (const events of Object.values(bar.voices || {})) total += events.length;
    }
  }
  if (total > MAX_EVENTS) {
    problems.push(`a score holds at most ${MAX_EVENTS} notes and rests, this one ${total}`);
  }
  return problems;
}
