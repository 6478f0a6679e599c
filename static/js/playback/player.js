// Offline playback with Tone.js (global ``Tone`` from /vendor/tone/Tone.js): the Salamander
// piano samples served from /vendor/piano/ (a synth per part if they cannot load), the
// score's tempo map, a mixer channel per part, and a moving marker (the sounding events are
// highlighted). How notes are performed (ties, dynamics, chord symbols, metronome) is
// performance.js's.

import { durValue } from "../score/durations.js";
import { playOrder } from "../score/form.js";
import { effectiveAttr } from "../score/model.js";
import { toMidi } from "../score/pitch.js";
import { performance } from "./performance.js";

const WAVES = ["triangle", "sine", "square", "sawtooth"];
const SAMPLE_NOTES = [
  ...[0, 1, 2, 3, 4, 5, 6, 7].map((o) => `A${o}`),
  ...[1, 2, 3, 4, 5, 6, 7, 8].map((o) => `C${o}`),
  ...[1, 2, 3, 4, 5, 6, 7].flatMap((o) => [`D#${o}`, `F#${o}`]),
];
let samplesPromise = null;

/** The piano samples, decoded once and shared by every part's sampler; null when they
 * cannot be decoded here (each part then gets a synth). */
function loadPianoSamples(Tone) {
  if (!samplesPromise) {
    samplesPromise = new Promise((resolve) => {
      const urls = Object.fromEntries(SAMPLE_NOTES.map((n) => [n, `${encodeURIComponent(n)}v10.mp3`]));
      const timer = setTimeout(() => resolve(null), 8000);
      try {
        const buffers = new Tone.ToneAudioBuffers({
          urls,
          baseUrl: "/vendor/piano/",
          onload: () => {
            clearTimeout(timer);
            resolve(Object.fromEntries(SAMPLE_NOTES.map((n) => [n, buffers.get(n)])));
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
  return samplesPromise;
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

/** A part's channel in the mixer: volume (dB), mute, solo; quieter as parts add up. */
function mixChannel(Tone, mix = {}, parts = 1) {
  const base = -2 * Math.max(0, parts - 2);
  const channel = new Tone.Channel({ volume: base + (Number(mix.volume) || 0), mute: !!mix.mute, solo: !!mix.solo });
  return channel.toDestination();
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

  /**
   * Play ``doc`` from ``fromEvent`` (to ``toEvent``, looping when ``loop``). ``options``:
   * ``metronome``, ``countIn`` (bars), ``chords`` (sound the chord symbols) and ``mix``
   * ({part index: {volume (dB), mute, solo}}).
   */
  async play(doc, { fromEvent = null, toEvent = null, loop = false, tempoOverride = null, ...options } = {}) {
    const Tone = globalThis.Tone;
    if (!Tone) throw new Error("Tone.js is not loaded");
    await Tone.start();
    this.stop();
    const timeline = schedule(doc, { tempoOverride });
    const first = fromEvent ? timeline.notes.find((n) => n.eventId === fromEvent) : null;
    const from = first ? first.time : 0;
    const last = toEvent ? [...timeline.notes].reverse().find((n) => n.eventId === toEvent) : null;
    const until = last && last.time >= from ? last.time + last.dur : timeline.total;
    const plan = performance(doc, timeline, { ...options, from });
    const transport = Tone.getTransport();
    transport.cancel();
    transport.position = 0;
    const samples = await loadPianoSamples(Tone);
    this.instrument = samples ? "piano samples" : "synth";
    this.channels = doc.parts.map((_, i) => mixChannel(Tone, (options.mix || {})[i], doc.parts.length));
    this.synths = doc.parts.map((_, i) => {
      const synth = samples
        ? new Tone.Sampler({ urls: samples, release: 0.6 })
        : new Tone.PolySynth(Tone.Synth, {
            oscillator: { type: WAVES[i % WAVES.length] },
            envelope: { attack: 0.01, decay: 0.1, sustain: 0.6, release: 0.3 },
          });
      return synth.connect(this.channels[i]);
    });
    const lead = plan.clicks.some((c) => c.countIn) ? from - plan.clicks[0].time : 0;
    const at = (t) => t - from + lead;
    this.events = plan.notes.filter((n) => n.time >= from - 1e-9 && n.time < until - 1e-9);
    for (const n of this.events) {
      transport.schedule((time) => {
        if (n.midis.length) {
          const freqs = n.midis.map((m) => Tone.Frequency(m, "midi").toFrequency());
          const durs = n.durs.map((d) => Math.max(0.05, Math.min(d, until - n.time) * 0.95));
          this.synths[n.part].triggerAttackRelease(freqs, durs, time, n.velocity);
        }
        Tone.getDraw().schedule(() => this.mark(n), time);
      }, at(n.time));
    }
    for (const c of plan.chords.filter((c) => c.time >= from - 1e-9 && c.time < until - 1e-9)) {
      transport.schedule((time) => {
        const freqs = c.midis.map((m) => Tone.Frequency(m, "midi").toFrequency());
        this.synths[c.part].triggerAttackRelease(freqs, Math.max(0.05, c.dur * 0.95), time, 0.45);
      }, at(c.time));
    }
    this.click = plan.clicks.length ? new Tone.MembraneSynth({ octaves: 2, pitchDecay: 0.01 }).toDestination() : null;
    for (const c of plan.clicks.filter((c) => c.time < until - 1e-9)) {
      transport.schedule((time) => this.click.triggerAttackRelease(c.strong ? "C6" : "G5", 0.03, time, c.strong ? 0.9 : 0.5), at(c.time));
    }
    this.plan = { from, until, loop, notes: this.events.filter((n) => n.midis.length).length, chords: plan.chords.length, clicks: plan.clicks.length, lead };
    if (loop) {
      // A loop repeats the selection itself; the count-in is heard once, before it.
      transport.loop = true;
      transport.loopStart = at(from);
      transport.loopEnd = at(until);
    } else {
      transport.loop = false;
      transport.schedule(() => Tone.getDraw().schedule(() => this.stop(), Tone.now()), at(until) + 0.3);
    }
    this.offset = from - lead;
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
    // The shared sampler (and its decoded samples) stays loaded; per-part voices are freed.
    for (const s of [...this.synths, ...(this.channels || []), this.click].filter(Boolean)) s.dispose();
    this.synths = [];
    this.channels = [];
    this.click = null;
    clearInterval(this.timer);
    this.timer = null;
    if (this.playing) {
      this.playing = false;
      this.onMarker([], null);
      this.onState(this.state());
    }
  }

  state() {
    return { playing: this.playing, position: this.position, instrument: this.instrument, plan: this.plan };
  }
}
