// The on-screen keyboard: three octaves (C3–B5) of real piano keys as buttons. A click
// writes the note at the input cursor; Shift+click adds it to the chord just written.
// Keys are buttons with their note names, so the keyboard is usable without a mouse too.

import { pitchName, spellMidi } from "./pitch.js";

const BLACK = new Set([1, 3, 6, 8, 10]);

export function buildPiano(container, onNote, { low = 48, high = 83 } = {}) {
  container.replaceChildren();
  for (let midi = low; midi <= high; midi++) {
    const key = document.createElement("button");
    const black = BLACK.has(midi % 12);
    key.type = "button";
    key.className = black ? "piano-key black" : "piano-key white";
    key.dataset.midi = String(midi);
    const name = pitchName(spellMidi(midi, true));
    key.title = name;
    key.setAttribute("aria-label", name);
    if (!black && midi % 12 === 0) key.textContent = name;
    key.addEventListener("mousedown", (event) => event.preventDefault()); // keep the score's focus
    key.addEventListener("click", (event) => onNote(midi, event.shiftKey));
    container.appendChild(key);
  }
}
