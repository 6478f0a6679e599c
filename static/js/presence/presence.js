// Live collaborators: the people list with colours, and each one's selection
// outlined in their colour (CSS rules by element id, so re-engraving keeps them).

import { cssColour, cssId } from "../app/css.js";

export class Presence {
  constructor({ list, style, mySid, expand }) {
    this.list = list;
    this.style = style;
    this.mySid = mySid; // () -> our socket id
    this.expand = expand; // (ids) -> svg ids (events -> their notes)
    this.peers = [];
  }

  update(peers) {
    this.peers = peers || [];
    this.draw();
  }

  draw() {
    const me = this.mySid();
    this.list.replaceChildren();
    const seen = new Set();
    for (const peer of this.peers) {
      const li = document.createElement("li");
      li.style.setProperty("--c", cssColour(peer.user.colour));
      li.dataset.user = peer.user.name;
      li.dataset.sid = peer.sid;
      if (peer.sid === me) li.classList.add("me");
      li.textContent = peer.user.display_name || peer.user.name;
      // One entry per person; several tabs of one person show once.
      if (seen.has(peer.user.id) && peer.sid !== me) continue;
      seen.add(peer.user.id);
      this.list.appendChild(li);
    }
    const rules = [];
    for (const peer of this.peers) {
      if (peer.sid === me || !peer.selection.length) continue;
      const c = cssColour(peer.user.colour);
      const selectors = this.expand(peer.selection).map(cssId).join(",");
      if (selectors) {
        rules.push(
          `${selectors} { filter: drop-shadow(0 0 1.5px ${c}) drop-shadow(0 0 1.5px ${c}); fill: ${c}; }`,
        );
      }
    }
    this.style.textContent = rules.join("\n");
  }
}

export { cssId };
