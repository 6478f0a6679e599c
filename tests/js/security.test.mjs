// User-supplied strings on their way into CSS and into Verovio's MEI (docs/security.md):
// ids become CSS strings that cannot end early, colours are hex or grey, names are
// XML-escaped so a part name cannot add elements to the engraved SVG.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { cssColour, cssId, cssString } from '../../static/js/app/css.js';
import { sliceMei } from '../../static/js/render/mei.js';
import { newDocument } from '../../static/js/score/index.js';

test('cssId keeps an id inside one CSS string', () => {
  assert.equal(cssId('m2.p2.r0'), '[id="m2.p2.r0"]');
  const evil = 'm1\n]{} #score { display: none } [id="';
  const selector = cssId(evil);
  assert.ok(!/[\n\r\f]/.test(selector), 'no raw line break survives');
  // The only unescaped quotes are the two that delimit the string.
  assert.equal(selector.replace(/\\./g, '').match(/"/g).length, 2);
  assert.equal(cssString('a"b\\c\u0000\u007f'), 'a\\"b\\\\c\\0 \\7f ');
});

test('cssColour lets only hex colours through', () => {
  for (const ok of ['#abc', '#A0B1C2', '#a0b1c2ff']) assert.equal(cssColour(ok), ok);
  for (const bad of ['red; background: url(x)', '#12', '#abcdeg', null, 42, '#fff}body{']) {
    assert.equal(cssColour(bad), '#888888');
  }
});

test('part names, titles and lyrics reach MEI escaped', () => {
  const doc = newDocument({ title: '<title>"x"</title><script>', measures: 1 });
  doc.parts[0].name = '</label><script>alert(1)</script>';
  const mei = sliceMei(doc);
  assert.ok(!mei.includes('<script'), mei);
  assert.ok(mei.includes('&lt;/label&gt;&lt;script&gt;'));
  assert.ok(mei.includes('&lt;title&gt;&quot;x&quot;'));
});
