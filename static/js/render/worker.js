// Web Worker that owns the Verovio toolkit: MEI in, SVG out, off the main thread.
// Messages: {id, items: [{key, mei}], pageWidth?} -> {id, items: [{key, svg}], ms};
// print jobs: {id, pages: {mei, options}} -> {id, pages: [svg, ...]}.
// No DOM, no network.

import createVerovioModule from "/vendor/verovio/verovio-module.mjs";
import { VerovioToolkit } from "/vendor/verovio/verovio.mjs";

// Each slice is one system justified to the page width (minLastJustification 0), so
// systems line up like a page even though each is engraved on its own.
const OPTIONS = {
  breaks: "auto",
  adjustPageHeight: true,
  minLastJustification: 0,
  pageWidth: 2100,
  header: "none",
  footer: "none",
  scale: 55,
  pageMarginLeft: 40,
  pageMarginRight: 20,
  pageMarginTop: 30,
  pageMarginBottom: 20,
  svgRemoveXlink: true,
};

const ready = createVerovioModule().then((module) => {
  const toolkit = new VerovioToolkit(module);
  toolkit.setOptions(OPTIONS);
  return toolkit;
});

self.onmessage = async (message) => {
  const { id, items, pageWidth, pages } = message.data;
  const toolkit = await ready;
  if (pages) {
    // A print job (its own worker, so the editor's slice options are never disturbed):
    // whole pages with the given options, every page of the score.
    toolkit.setOptions(pages.options);
    toolkit.loadData(pages.mei);
    const svgs = [];
    for (let page = 1; page <= toolkit.getPageCount(); page++) svgs.push(toolkit.renderToSVG(page));
    self.postMessage({ id, pages: svgs });
    return;
  }
  if (pageWidth && pageWidth !== OPTIONS.pageWidth) {
    OPTIONS.pageWidth = pageWidth;
    toolkit.setOptions({ pageWidth });
  }
  const started = performance.now();
  const out = [];
  for (const item of items) {
    let svg = "";
    try {
      toolkit.loadData(item.mei);
      svg = toolkit.renderToSVG(1);
    } catch (error) {
      const text = String(error).replace(/[<>&"]/g, (c) => `&#${c.charCodeAt(0)};`);
      svg = `<svg class="render-error"><text x="10" y="20">${text}</text></svg>`;
    }
    out.push({ key: item.key, svg });
  }
  self.postMessage({ id, items: out, ms: performance.now() - started });
};
