// The one way user-supplied strings reach CSS: element ids become selectors through
// cssId (escaped, so "x\n} body{display:none}" stays one harmless identifier) and
// colours through cssColour (a hex colour or a grey). The server validates both too
// (ids to A-Z a-z 0-9 _ . : ~ -, colours to #rrggbb); this is the second wall.

/** CSS.escape, or the CSSOM algorithm where there is no CSS global (Node tests). */
export function escapeIdent(value) {
  const text = String(value);
  if (globalThis.CSS && typeof globalThis.CSS.escape === "function") return globalThis.CSS.escape(text);
  let out = "";
  for (let i = 0; i < text.length; i += 1) {
    const ch = text[i];
    const code = text.charCodeAt(i);
    if (code === 0) out += "\uFFFD";
    else if ((code >= 1 && code <= 0x1f) || code === 0x7f || (/[0-9]/.test(ch) && (i === 0 || (i === 1 && text[0] === "-")))) {
      out += `\\${code.toString(16)} `;
    } else if (i === 0 && ch === "-" && text.length === 1) out += "\\-";
    else if (code >= 0x80 || /[A-Za-z0-9_-]/.test(ch)) out += ch;
    else out += `\\${ch}`;
  }
  return out;
}

/** A selector matching the SVG element whose id is ``id`` (our ids are MEI/SVG ids). */
export function cssId(id) {
  return `[id="${escapeIdent(id)}"]`;
}

const HEX_COLOUR = /^#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6}|[0-9a-fA-F]{8})$/;

/** ``colour`` when it is a hex colour, else a neutral grey. */
export function cssColour(colour) {
  return typeof colour === "string" && HEX_COLOUR.test(colour) ? colour : "#888888";
}
