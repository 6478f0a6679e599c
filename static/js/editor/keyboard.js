// The keyboard map: key events -> action names (with arguments), and the help table.
// MuseScore's conventions where they exist; documented in docs/editor.md.

export const SHORTCUTS = [
  ["N", "Toggle note input mode"],
  ["A – G", "Note input: write that note (octave nearest the previous note in this staff, key signature applied); otherwise change the selected note's pitch"],
  ["Shift + A – G", "Add that note above the selected chord"],
  ["1 – 7", "Duration: 1 = 64th, 2 = 32nd, 3 = 16th, 4 = eighth, 5 = quarter, 6 = half, 7 = whole"],
  [".", "Toggle dot"],
  ["0 or R", "Rest (in note input); outside it, turn the selection into rests"],
  ["↑ / ↓", "Pitch up / down a semitone"],
  ["Ctrl + ↑ / ↓", "Up / down an octave"],
  ["Alt + ↑ / ↓ or + / -", "Sharpen / flatten (keep the letter)"],
  ["← / →", "Previous / next event"],
  ["Shift + click, Shift + ← / →", "Extend the selection"],
  ["Ctrl + A", "Select every note and rest of the score"],
  ["Alt + W", "Where am I: the selected note, its measure, beat and part, read aloud"],
  ["T", "Tie (in note input: a tied copy of the last note)"],
  ["S", "Slur over the selection (one note: to the next); again: off"],
  ["< / >", "Crescendo / diminuendo hairpin over the selection; the Lines menu has ottavas and pedal"],
  ["Shift + S / V / N / O", "Staccato / accent / tenuto / marcato on the selection (again: off); the Marks menu has the rest"],
  ["Delete / Backspace", "Delete the selection (notes become rests; removes chord symbols, dynamics)"],
  ["Ctrl + C / Ctrl + V", "Copy / paste the selected events"],
  ["Ctrl + Z / Ctrl + Y", "Undo / redo your own edits"],
  ["Ctrl + L", "Lyric on the selected note (Space or Enter: next note, -: next syllable, Esc: done)"],
  ["Ctrl + K", "Chord symbol at the selected event (Tab: next event, Enter: done)"],
  ["Ctrl + Alt + 1 – 4", "Voice for note input"],
  ["Ctrl + B", "Append a measure"],
  ["Insert", "Insert a measure before the selection"],
  ["Ctrl + Delete", "Remove the selected measures"],
  ["Space", "Play from the selection / stop"],
  ["Esc", "Leave note input, clear the selection, close this help"],
  ["?", "This help"],
];

const DIGITS = { 1: 64, 2: 32, 3: 16, 4: 8, 5: 4, 6: 2, 7: 1 };
const SHIFT_MARKS = { s: "staccato", v: "accent", n: "tenuto", o: "marcato" };

/** Map a keydown to [action, arg] or null. */
export function actionFor(event) {
  const ctrl = event.ctrlKey || event.metaKey;
  const key = event.key;
  const lower = key.length === 1 ? key.toLowerCase() : key;
  if (ctrl) {
    if (lower === "z" && event.shiftKey) return ["redo"];
    // Ctrl+Alt+1..4 (MuseScore): the voice note input writes into.
    if (event.altKey && /^Digit[1-4]$/.test(event.code)) return ["voice-set", Number(event.code.slice(5))];
    const map = {
      a: ["select-all"],
      z: ["undo"],
      y: ["redo"],
      c: ["copy"],
      v: ["paste"],
      l: ["lyric"],
      k: ["chord"],
      b: ["append-measure"],
      ArrowUp: ["octave", 1],
      ArrowDown: ["octave", -1],
      Delete: ["remove-measures"],
    };
    return map[lower] || null;
  }
  if (event.altKey) {
    if (lower === "w" || event.code === "KeyW") return ["where-am-i"];
    if (key === "ArrowUp") return ["alter", 1];
    if (key === "ArrowDown") return ["alter", -1];
    return null;
  }
  if (key === "?") return ["help"];
  // MuseScore's articulation keys; checked before Shift+letter (add to chord) and N.
  if (event.shiftKey && SHIFT_MARKS[lower]) return ["mark", SHIFT_MARKS[lower]];
  if (lower === "s" && !event.shiftKey) return ["spanner", "slur"];
  if (key === "<") return ["spanner", "crescendo"];
  if (key === ">") return ["spanner", "diminuendo"];
  if (/^[a-g]$/.test(lower)) return event.shiftKey ? ["chord-add", lower.toUpperCase()] : ["letter", lower.toUpperCase()];
  if (lower === "n") return ["note-input"];
  if (lower === "r" || key === "0") return ["rest"];
  if (lower === "t") return ["tie"];
  if (DIGITS[key]) return ["duration", DIGITS[key]];
  const map = {
    ".": ["dot"],
    "+": ["alter", 1],
    "=": ["alter", 1],
    "-": ["alter", -1],
    ArrowUp: ["pitch", 1],
    ArrowDown: ["pitch", -1],
    ArrowLeft: ["move", -1],
    ArrowRight: ["move", 1],
    Delete: ["delete"],
    Backspace: ["delete"],
    Insert: ["insert-measure"],
    Escape: ["escape"],
    " ": ["play"],
  };
  const action = map[key] || null;
  if (action && action[0] === "move" && event.shiftKey) return ["extend", action[1]];
  return action;
}

export function fillHelp(table) {
  table.replaceChildren();
  for (const [keys, what] of SHORTCUTS) {
    const row = table.insertRow();
    const k = row.insertCell();
    const kbd = document.createElement("kbd");
    kbd.textContent = keys;
    k.appendChild(kbd);
    row.insertCell().textContent = what;
  }
}
