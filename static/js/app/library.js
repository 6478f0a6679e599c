// The score library: list my scores, create one, import a file, export links.

import { api } from "./api.js";

const error = document.getElementById("library-error");
const PRESETS = {
  piano: [{ name: "Right hand", clef: "treble" }, { name: "Left hand", clef: "bass" }],
  solo: [{ name: "Melody", clef: "treble" }],
  satb: [
    { name: "Soprano", clef: "treble" },
    { name: "Alto", clef: "treble" },
    { name: "Tenor", clef: "treble8vb" },
    { name: "Bass", clef: "bass" },
  ],
};

function cell(row, content) {
  const td = row.insertCell();
  if (content instanceof Node) td.appendChild(content);
  else td.textContent = content;
}

function link(href, text, download = false) {
  const a = document.createElement("a");
  a.href = href;
  a.textContent = text;
  if (download) a.setAttribute("download", "");
  return a;
}

async function refresh() {
  const { scores } = await api("/api/scores");
  const body = document.querySelector("#score-list tbody");
  body.replaceChildren();
  for (const s of scores) {
    const row = body.insertRow();
    row.dataset.scoreId = s.id;
    cell(row, link(`/scores/${encodeURIComponent(s.id)}`, s.title || "Untitled"));
    cell(row, s.role);
    cell(row, String(s.head_seq));
    cell(row, new Date(s.created_at).toLocaleString());
    const span = document.createElement("span");
    span.append(
      link(`/api/scores/${encodeURIComponent(s.id)}/export?format=musicxml`, "MusicXML", true),
      " · ",
      link(`/api/scores/${encodeURIComponent(s.id)}/export?format=midi`, "MIDI", true),
    );
    cell(row, span);
  }
}

document.getElementById("create-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const form = new FormData(event.target);
  try {
    const { id } = await api("/api/scores", {
      method: "POST",
      body: {
        title: form.get("title"),
        measures: Number(form.get("measures")),
        parts: PRESETS[form.get("preset")],
      },
    });
    location.href = `/scores/${encodeURIComponent(id)}`;
  } catch (e) {
    error.textContent = e.message;
  }
});

document.getElementById("import-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const form = new FormData(event.target);
  try {
    const { id, report } = await api("/api/scores/import", { method: "POST", form });
    if (report && report.length) {
      // Show what the import dropped or approximated before opening the score.
      error.textContent = "";
      const list = document.createElement("ul");
      list.id = "import-report";
      for (const line of report) list.appendChild(Object.assign(document.createElement("li"), { textContent: line }));
      const open = Object.assign(document.createElement("a"), {
        href: `/scores/${encodeURIComponent(id)}`,
        textContent: "Open the imported score",
      });
      event.target.after(list, open);
      await refresh();
      return;
    }
    location.href = `/scores/${encodeURIComponent(id)}`;
  } catch (e) {
    error.textContent = e.message;
  }
});

refresh().catch((e) => (error.textContent = e.message));
