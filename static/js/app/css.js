// The one way user-supplied strings reach CSS: element ids become selectors through
// cssId (a CSS string, escaped, so "x\n} body{display:none}" stays one harmless id) and
// colours through cssColour (a hex colour or a grey). The server validates both too
// (ids to A-Z a-z 0-9 _ . : ~ -, colours to #rrggbb); this is the second wall.

/** ``value`` as the inside of a double-quoted CSS string: quotes and backslashes
 * escaped, control characters (a newline would end the string and start new rules)
 * written as hex escapes. */
export function cssString(value) {
  return String(value).replace(/["\\\x00-\x1f\x7f]/g, (ch) =>
    ch === '"' || ch === "\\" ? `\\${ch}` : `\\${ch.charCodeAt(0).toString(16)} `,
  );
}

/** A selector matching the SVG element whose id is ``id`` (our ids are MEI/SVG ids). */
export function cssId(id) {
  return `[id="${cssString(id)}"]`;
}

const HEX_COLOUR = /^#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6}|[0-9a-fA-F]{8})$/;

/** ``colour`` when it is a hex colour, else a neutral grey. */
export function cssColour(colour) {
  return typeof colour === "string" && HEX_COLOUR.test(colour) ? colour : "#888888";
}
