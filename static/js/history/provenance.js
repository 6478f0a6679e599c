// "Who wrote what" on screen: the provenance summary of /api/scores/<id>/contributions —
// per person, edits, notes written and still standing, notes from accepted helper
// suggestions — refreshed while the panel is open, a few seconds after edits settle.

const COLUMNS = [
  ["edits", "Edits"],
  ["notes_written", "Notes written"],
  ["notes_standing", "Still standing"],
  ["helper_notes_accepted", "From the helper"],
];

/** Rows for the table, most notes standing first (a pure function of the API's JSON). */
export function provenanceRows(body) {
  return [...(body.authors || [])]
    .sort((a, b) => b.notes_standing - a.notes_standing || b.edits - a.edits)
    .map((a) => ({
      name: (a.person && a.person.name) || a.author_name || "someone",
      colour: (a.person && a.person.colour) || "#888",
      cells: COLUMNS.map(([key]) => Number(a[key]) || 0),
    }));
}

export function initProvenance({ scoreId, api }) {
  const panel = document.getElementById("provenance-panel");
  const body = panel.querySelector(".provenance-body");
  let timer = null;

  async function refresh() {
    if (!panel.open) return;
    let data;
    try {
      data = await api(`/api/scores/${encodeURIComponent(scoreId)}/contributions`);
    } catch (error) {
      body.textContent = `Not available: ${error.message || error}`;
      return;
    }
    const table = document.createElement("table");
    table.className = "provenance-table";
    const head = table.createTHead().insertRow();
    for (const label of ["Person", ...COLUMNS.map(([, l]) => l)]) {
      const th = document.createElement("th");
      th.textContent = label;
      head.appendChild(th);
    }
    const rows = table.createTBody();
    for (const row of provenanceRows(data)) {
      const tr = rows.insertRow();
      const who = tr.insertCell();
      const swatch = document.createElement("span");
      swatch.className = "provenance-swatch";
      if (/^#[0-9a-fA-F]{6}$/.test(row.colour)) swatch.style.background = row.colour;
      who.append(swatch, row.name); // text, never HTML
      for (const value of row.cells) tr.insertCell().textContent = String(value);
    }
    body.replaceChildren(table);
  }

  panel.addEventListener("toggle", refresh);
  return {
    refresh,
    /** After an edit: refresh once things are quiet (history views are not free). */
    changed() {
      clearTimeout(timer);
      timer = setTimeout(refresh, 2500);
    },
  };
}
