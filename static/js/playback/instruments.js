// A sound per part: the part's instrument (or name) picks a sample set — strings, winds,
// brass, guitars — served from /vendor/instruments/ (npm tonejs-instrument-* packages);
// anything else, voices and keyboards included, plays on the piano samples.

// First match wins; words as musicians and MusicXML files name instruments.
const SOUNDS = [
  [/contrabass|double bass|string bass|kontrabass|\bcb\b/, "contrabass"],
  [/violoncell|cello|\bvc\b/, "cello"],
  [/violin|viola|fiddle|\bvn\b|\bvla\b|strings?/, "violin"],
  [/piccolo|flute|\bfl\b|recorder|fl[öo]te/, "flute"],
  [/clarinet|\bcl\b|oboe|english horn|cor anglais|bassoon/, "clarinet"],
  [/sax/, "saxophone"],
  [/trumpet|cornet|flugelhorn|\btpt\b/, "trumpet"],
  [/trombone|tuba|euphonium|horn|\btbn\b/, "trombone"],
  [/bass guitar|electric bass|\bbass\b(?! clef)/, "bass-electric"],
  [/guitar|\bgtr\b|banjo|mandolin|ukulele/, "guitar-acoustic"],
];

/** The sample set a part plays with ("piano" when nothing more fitting is known). */
export function soundFor(part) {
  // "piano" is every new part's default instrument: then the part's name says more.
  const instrument = String(part.instrument || "").toLowerCase().trim();
  return classify(instrument && instrument !== "piano" ? instrument : String(part.name || "").toLowerCase().trim());
}

function classify(name) {
  // Keyboards, and voices (a choir's "Bass" is a singer, not a bass guitar; an "Alto
  // Saxophone" is not a singer), play on the piano samples.
  if (/piano|keyboard|organ|harpsichord|voice|choir|vocal|chorus/.test(name)) return "piano";
  if (/^(soprano|mezzo|alto|contralto|tenor|baritone|bass)( \d| [iv]+)?$/.test(name)) return "piano";
  for (const [pattern, sound] of SOUNDS) if (pattern.test(name)) return sound;
  return "piano";
}

let available = null;
const loaded = new Map();

/** Which sample sets the server has: {name: ["A#3", ...]} (empty when none). */
export function availableSounds() {
  if (!available) {
    available = fetch("/vendor/instruments.json")
      .then((r) => (r.ok ? r.json() : {}))
      .catch(() => ({}));
  }
  return available;
}

/** The decoded samples of sound ``name`` as {note: buffer} for a Tone.Sampler, or null. */
export function loadSound(Tone, name, notes) {
  if (!loaded.has(name)) {
    loaded.set(
      name,
      new Promise((resolve) => {
        const file = (note) => `${note.replace("#", "s")}.mp3`;
        const timer = setTimeout(() => resolve(null), 10000);
        try {
          const buffers = new Tone.ToneAudioBuffers({
            urls: Object.fromEntries(notes.map((n) => [n, file(n)])),
            baseUrl: `/vendor/instruments/${name}/`,
            onload: () => {
              clearTimeout(timer);
              resolve(Object.fromEntries(notes.map((n) => [n, buffers.get(n)])));
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
      }),
    );
  }
  return loaded.get(name);
}
