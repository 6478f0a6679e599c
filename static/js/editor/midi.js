// Web MIDI step entry: notes from a connected keyboard (or the on-screen piano) become
// notes at the input cursor. A key pressed while another is still held joins the chord
// just written, as in MuseScore, so a chord is entered by playing it. No DOM beyond the
// MIDIAccess object; the decoding is pure and tested in Node.

const NOTE_ON = 0x90;
const NOTE_OFF = 0x80;

/** Decode one MIDI message: {type: "on"|"off", note} or null (anything else). */
export function decode(data) {
  if (!data || data.length < 3) return null;
  const kind = data[0] & 0xf0;
  const note = data[1] & 0x7f;
  if (kind === NOTE_ON && data[2] > 0) return { type: "on", note };
  if (kind === NOTE_OFF || (kind === NOTE_ON && data[2] === 0)) return { type: "off", note };
  return null;
}

/** Keys held down, and whether a new press starts a chord or joins the one held. */
export class ChordGrouper {
  constructor(onNote) {
    this.onNote = onNote; // (midi, joinsChord) => void
    this.held = new Set();
  }

  message(data) {
    const m = decode(data);
    if (!m) return;
    if (m.type === "on") {
      const joins = this.held.size > 0;
      this.held.add(m.note);
      this.onNote(m.note, joins);
    } else {
      this.held.delete(m.note);
    }
  }
}

/**
 * Listen to every MIDI input (and ones plugged in later). ``request`` is
 * ``navigator.requestMIDIAccess`` (injectable for tests). Resolves to a status text.
 */
export async function listenToMidi(request, onNote) {
  if (typeof request !== "function") return "this browser has no Web MIDI";
  let access;
  try {
    access = await request({ sysex: false });
  } catch {
    return "MIDI access was not allowed";
  }
  const grouper = new ChordGrouper(onNote);
  const bound = new WeakSet();
  const bind = () => {
    for (const input of access.inputs.values()) {
      if (bound.has(input)) continue;
      bound.add(input);
      input.addEventListener("midimessage", (event) => grouper.message(event.data));
    }
  };
  bind();
  access.addEventListener?.("statechange", bind);
  const count = access.inputs.size;
  return count ? `MIDI input: ${count} device${count === 1 ? "" : "s"}` : "MIDI: no device connected yet";
}
