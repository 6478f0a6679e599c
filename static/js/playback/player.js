// Offline playback with Tone.js (global ``Tone`` from /vendor/tone/Tone.js): the Salamander
// piano samples served from /vendor/piano/ (a synth per part if they cannot load), the
// score's tempo map, and a moving marker (the sounding events are highlighted).

import { durValue } from "../score/durations.js";
import { playOrder } from "../score/form.js";
import { effectiveAttr } from "../score/model.js";
import { toMidi } from "../score/pitch.js";

const WAVES = ["triangle", "sine", "square", "sawtooth"];
const SAMPLE_NOTES = [
  ...[0, 1, 2, 3, 4, 5, 6, 7].map((o) => `A${o}`),
  ...[1, 2, 3, 4, 5, 6, 7, 8].map((o) => `C${o}`),
  ...[1, 2, 3, 4, 5, 6, 7].flatMap((o) => [`D#${o}`, `F#${o}`]),
];
let samplerPromise = null;

/** One shared piano sampler, or null when the samples cannot be decoded here. */
function loadSampler(Tone) {
  if (!samplerPromise) {
    samplerPromise = new Promise((resolve) => {
      const urls = Object.fromEntries(
        SAMPLE_NOTES.map((n) => [n, `${encodeURIComponent(n)}v10.mp3`]),
      );
      const timer = setTimeout(() => resolve(null), 8000);
      try {
        const sampler = new Tone.Sampler({
          urls,
          baseUrl: "/vendor/piano/",
          release: 0.6,
          onload: () => {
            clearTimeout(timer);
            resolve(sampler.toDestination());
          },
          onerror: () => {
            clearTimeout(timer);
            resolve(null);
          },
        });
      } catch {
        clearTimeout(timer);
        resolve(null);
      }
    });
  }
  return samplerPromise;
}

// How much of its written length a note sounds (as server/formats/writer.py's MIDI).
const SOUNDING = { staccatissimo: 0.25, staccato: 0.5 };

function soundingShare(event) {
  const marks = event.marks || {};
  return Math.min(1, ...Object.keys(SOUNDING).filter((k) => marks[k]).map((k) => SOUNDING[k]));
}

/** [{time, dur, midis, eventId, part}] in seconds, measures in the order they are played
 * (repeats taken, endings chosen by pass: score/form.js). */
export function schedule(doc, { tempoOverride = null } = {}) {
  const notes = [];
  let measureStart = 0;
  for (const mi of playOrder(doc)) {
    const m = doc.measures[mi];
    const time = effectiveAttr(doc, mi, "time");
    const bpm = tempoOverride || effectiveAttr(doc, mi, "tempo");
    const wholeSeconds = (4 * 60) / bpm;
    const length = (time[0] / time[1]) * wholeSeconds;
    doc.parts.forEach((part, pi) => {
      const bar = part.bars[m.id];
      for (const events of Object.values(bar.voices)) {
        let offset = 0;
        for (const e of events) {
          const v = durValue(e.dur);
          const seconds = (Number(v.n) / Number(v.d)) * wholeSeconds;
          notes.push({
            time: measureStart + offset,
            dur: seconds * soundingShare(e),
            midis: e.notes.map((n) => toMidi(n) + (part.transposition || 0)),
            eventId: e.id,
            noteIds: e.notes.map((n) => n.id),
            part: pi,
          });
          offset += seconds;
        }
      }
    });
    measureStart += length;
  }
  notes.sort((a, b) => a.time - b.time);
  return { notes, total: measureStart };
}

export class Player {
  constructor({ onMarker, onState }) {
    this.onMarker = onMarker; // (eventIds) -> void
    this.onState = onState;
    this.playing = false;
    this.position = 0;
    this.startedAt = 0;
    this.synths = [];
    this.timer = null;
  }

  async play(doc, { fromEvent = null, tempoOverride = null } = {}) {
    const Tone = globalThis.Tone;
    if (!Tone) throw new Error("Tone.js is not loaded");
    await Tone.start();
    this.stop();
    const { notes, total } = schedule(doc, { tempoOverride });
    const first = fromEvent ? notes.find((n) => n.eventId === fromEvent) : null;
    const from = first ? first.time : 0;
    const transport = Tone.getTransport();
    transport.cancel();
    transport.position = 0;
    const sampler = await loadSampler(Tone);
    this.instrument = sampler ? "piano samples" : "synth";
    this.synths = doc.parts.map((_, i) => {
      if (sampler) return sampler;
      const synth = new Tone.PolySynth(Tone.Synth, {
        oscillator: { type: WAVES[i % WAVES.length] },
        envelope: { attack: 0.01, decay: 0.1, sustain: 0.6, release: 0.3 },
      }).toDestination();
      synth.volume.value = -10 - 2 * doc.parts.length;
      return synth;
    });
    this.events = notes.filter((n) => n.time >= from);
    for (const n of this.events) {
      transport.schedule((time) => {
        if (n.midis.length) {
          const freqs = n.midis.map((m) => Tone.Frequency(m, "midi").toFrequency());
          this.synths[n.part].triggerAttackRelease(freqs, Math.max(0.05, n.dur * 0.95), time);
        }
        Tone.getDraw().schedule(() => this.mark(n), time);
      }, n.time - from);
    }
    transport.schedule(() => Tone.getDraw().schedule(() => this.stop(), Tone.now()), total - from + 0.3);
    this.offset = from;
    this.playing = true;
    this.sounding = new Map();
    transport.start("+0.05");
    this.timer = setInterval(() => {
      this.position = this.offset + transport.seconds;
      this.onState(this.state());
    }, 100);
    this.onState(this.state());
  }

  mark(n) {
    const now = n.time;
    for (const [id, end] of this.sounding) if (end <= now + 1e-6) this.sounding.delete(id);
    this.sounding.set(n.eventId, n.time + n.dur);
    this.onMarker([...this.sounding.keys()], n);
  }

  stop() {
    const Tone = globalThis.Tone;
    if (Tone) {
      const transport = Tone.getTransport();
      transport.stop();
      transport.cancel();
    }
    // The shared sampler stays loaded; per-part synths are freed.
    for (const s of new Set(this.synths)) if (!(s instanceof globalThis.Tone.Sampler)) s.dispose();
    this.synths = [];
    clearInterval(this.timer);
    this.timer = null;
    if (this.playing) {
      this.playing = false;
      this.onMarker([], null);
      this.onState(this.state());
    }
  }

  state() {
    return { playing: this.playing, position: this.position, instrument: this.instrument };
  }
}
