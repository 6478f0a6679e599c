// Print and export from the editor: the score, one part (part extraction) or a range of
// measures as engraved A4 pages (PDF) or as MEI. Pages are engraved by Verovio in a
// worker of their own; the PDF is drawn from those SVG pages by jsPDF + svg2pdf.js
// (both MIT, from the npm registry, served under /vendor/), all in the browser, offline.

import { esc, sliceMei } from "./mei.js";

// A4 portrait in Verovio's units (tenths of a millimetre), with the title and composer
// in the header of page 1; pdfOf numbers the pages after the first, as printed parts do.
export const PAGE = { width: 2100, height: 2970 };
const PRINT_OPTIONS = {
  pageWidth: PAGE.width,
  pageHeight: PAGE.height,
  adjustPageHeight: false,
  breaks: "auto",
  header: "auto",
  footer: "none", // page numbers are drawn by pdfOf; no engraver's logo on a musician's page
  scale: 40,
  pageMarginLeft: 100,
  pageMarginRight: 100,
  pageMarginTop: 80,
  pageMarginBottom: 80,
  svgRemoveXlink: true,
};
const PT_PER_MM = 72 / 25.4;

/**
 * What to print: ``parts`` (ids; null = every part) and measures [start, end). Returns
 * the sub-document and its file name stem ("Quartet — Viola, m. 5–8").
 */
export function printable(doc, { parts = null, start = 0, end = doc.measures.length } = {}) {
  const kept = parts ? doc.parts.filter((p) => parts.includes(p.id)) : doc.parts;
  if (!kept.length) throw new Error("choose at least one part to print");
  if (!(start >= 0 && end <= doc.measures.length && start < end)) {
    throw new Error("choose measures inside the score");
  }
  let name = doc.title || "Untitled";
  if (parts && kept.length < doc.parts.length) name += ` — ${kept.map((p) => p.name).join(", ")}`;
  if (start > 0 || end < doc.measures.length) name += `, m. ${start + 1}–${end}`;
  return { doc: { ...doc, parts: kept }, start, end, name };
}

/** A standalone MEI file of what ``printable`` chose, with title, part name and composer. */
export function printMei(choice) {
  const mei = sliceMei(choice.doc, choice.start, choice.end);
  const composer = choice.doc.composer
    ? `<respStmt><persName role="composer">${esc(choice.doc.composer)}</persName></respStmt>`
    : "";
  return mei.replace(/<title>[^<]*<\/title>/, `<title>${esc(choice.name)}</title>${composer}`);
}

/** Engrave ``mei`` as A4 pages: one SVG string per page. */
export function engravePages(mei) {
  const worker = new Worker("/static/js/render/worker.js", { type: "module" });
  return new Promise((resolve, reject) => {
    worker.onmessage = (message) => {
      worker.terminate();
      resolve(message.data.pages);
    };
    worker.onerror = (error) => {
      worker.terminate();
      reject(new Error(`the pages could not be engraved: ${error.message || "worker failed"}`));
    };
    worker.postMessage({ id: 1, pages: { mei, options: PRINT_OPTIONS } });
  });
}

const loaded = new Map();
function loadScript(src) {
  if (!loaded.has(src)) {
    loaded.set(
      src,
      new Promise((resolve, reject) => {
        const script = document.createElement("script");
        script.src = src;
        script.onload = resolve;
        script.onerror = () => reject(new Error(`could not load ${src}`));
        document.head.appendChild(script);
      }),
    );
  }
  return loaded.get(src);
}

// PDF's built-in fonts have no ♩ ♭ ♮ ♯: every text is set in DejaVu Serif Condensed
// instead (condensed: close to the Times widths Verovio lays text out with).
const FONT = "DejaVuSerifCondensed";
const FONT_FILES = { normal: "", bold: "-Bold", italic: "-Italic", bolditalic: "-BoldItalic" };
// SMuFL signs Verovio writes inside text (chord symbols) as Leipzig glyphs, in Unicode.
const SMUFL_TEXT = { "\ue260": "♭", "\ue261": "♮", "\ue262": "♯", "\ue263": "x", "\ue264": "♭♭" };

async function addFonts(pdf) {
  for (const [style, suffix] of Object.entries(FONT_FILES)) {
    const response = await fetch(`/vendor/fonts/${FONT}${suffix}.ttf`);
    if (!response.ok) throw new Error("the PDF font could not be loaded");
    const bytes = new Uint8Array(await response.arrayBuffer());
    let binary = "";
    for (let i = 0; i < bytes.length; i += 0x8000) {
      binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
    }
    pdf.addFileToVFS(`${FONT}${suffix}.ttf`, binary);
    pdf.addFont(`${FONT}${suffix}.ttf`, FONT, style);
  }
}

/** Make a Verovio page drawable by svg2pdf: one embedded text font, SMuFL text signs as
 * Unicode at the size of the text around them. */
export function prepareForPdf(svg) {
  for (const el of svg.querySelectorAll("[font-family]")) {
    if (el.getAttribute("font-family") === "Leipzig") {
      el.textContent = [...el.textContent].map((c) => SMUFL_TEXT[c] ?? "").join("");
      const sibling = el.previousElementSibling || el.nextElementSibling;
      if (sibling && sibling.getAttribute("font-size")) el.setAttribute("font-size", sibling.getAttribute("font-size"));
    }
    el.setAttribute("font-family", FONT);
  }
  svg.setAttribute("font-family", FONT);
  for (const el of svg.querySelectorAll("svg")) el.setAttribute("font-family", FONT);
  return svg;
}

/** A PDF (Blob) of SVG pages, each drawn as vectors on an A4 page. */
export async function pdfOf(svgPages) {
  await loadScript("/vendor/jspdf/jspdf.umd.min.js");
  await loadScript("/vendor/svg2pdf/svg2pdf.umd.min.js");
  const { jsPDF } = window.jspdf;
  const width = (PAGE.width / 10) * PT_PER_MM;
  const height = (PAGE.height / 10) * PT_PER_MM;
  const pdf = new jsPDF({ unit: "pt", format: [width, height], compress: true });
  await addFonts(pdf);
  const parser = new DOMParser();
  for (const [i, text] of svgPages.entries()) {
    if (i > 0) pdf.addPage([width, height]);
    const svg = prepareForPdf(parser.parseFromString(text, "image/svg+xml").documentElement);
    // svg2pdf measures in the page; keep the page out of sight while it draws.
    const holder = document.createElement("div");
    holder.style.cssText = "position:fixed;left:-10000px;top:0;visibility:hidden";
    holder.appendChild(svg);
    document.body.appendChild(holder);
    try {
      await pdf.svg(svg, { x: 0, y: 0, width, height });
    } finally {
      holder.remove();
    }
    if (i > 0) {
      pdf.setFont(FONT, "normal");
      pdf.setFontSize(10);
      pdf.text(String(i + 1), width / 2, height - 24, { align: "center" });
    }
  }
  return pdf.output("blob");
}

/** Offer ``blob`` as a download called ``filename``. */
export function download(blob, filename) {
  const url = URL.createObjectURL(blob);
  const a = document.createElement("a");
  a.href = url;
  a.download = filename;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** A file name from a score name: no path separators or control characters. */
export function fileStem(name) {
  return name.replace(/[\\/:*?"<>|\u0000-\u001f]+/g, " ").replace(/\s+/g, " ").trim().slice(0, 120) || "score";
}
