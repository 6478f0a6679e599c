// The score library: my scores and those shared with me (search, sort), create, import,
// export links, and per score share / rename / duplicate / delete; the trash (restore).

import { api, currentUser } from "./api.js";
import { openShareDialog } from "./share.js";
import { ask } from "../editor/dialogs.js";

const error = document.getElementById("library-error");
const search = document.getElementById("library-search");
const sort = document.getElementById("library-sort");
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
const RANK = { viewer: 10, commenter: 15, editor: 20, owner: 30 };
const me = currentUser();

function cell(row, content) {
  const td = row.insertCell();
  if (content instanceof Node) td.appendChild(content);
  else td.textContent = content;
  return td;
}

function link(href, text, download = false) {
  const a = document.createElement("a");
  a.href = href;
  a.textContent = text;
  if (download) a.setAttribute("download", "");
  return a;
}

function button(text, className, onClick) {
  const b = Object.assign(document.createElement("button"), { type: "button", textContent: text, className });
  b.addEventListener("click", async () => {
    error.textContent = "";
    try {
      await onClick();
    } catch (e) {
      error.textContent = e.message;
    }
  });
  return b;
}

function exports(s) {
  const span = document.createElement("span");
  const base = `/api/scores/${encodeURIComponent(s.id)}/export`;
  span.append(link(`${base}?format=musicxml`, "MusicXML", true), " · ", link(`${base}?format=midi`, "MIDI", true));
  return span;
}

function actions(s) {
  const td = document.createElement("span");
  const path = `/api/scores/${encodeURIComponent(s.id)}`;
  td.append(
    button("Share", "share", async () => {
      const dialog = await openShareDialog(s.id, { me: await me, title: s.title, onLeft: refresh });
      dialog.addEventListener("close", refresh, { once: true });
    }),
  );
  if (RANK[s.role] >= RANK.editor) {
    td.append(
      button("Rename", "rename", async () => {
        const v = await ask("Rename", [{ name: "title", label: "Title", value: s.title }]);
        if (v && v.title) {
          await api(path, { method: "PATCH", body: { title: v.title } });
          await refresh();
        }
      }),
    );
  }
  td.append(
    button("Duplicate", "duplicate", async () => {
      await api(`${path}/duplicate`, { method: "POST", body: {} });
      await refresh();
    }),
  );
  if (s.role === "owner") {
    td.append(
      button("Delete", "delete", async () => {
        await api(path, { method: "DELETE" });
        await refresh();
      }),
    );
  }
  return td;
}

async function refresh() {
  const params = new URLSearchParams({ q: search.value, sort: sort.value });
  const [{ scores }, trash] = await Promise.all([api(`/api/scores?${params}`), api("/api/trash")]);
  const mine = document.querySelector("#score-list tbody");
  const shared = document.querySelector("#shared-list tbody");
  mine.replaceChildren();
  shared.replaceChildren();
  for (const s of scores) {
    const row = (s.shared ? shared : mine).insertRow();
    row.dataset.scoreId = s.id;
    cell(row, link(`/scores/${encodeURIComponent(s.id)}`, s.title || "Untitled"));
    if (s.shared) cell(row, s.owner_name);
    cell(row, s.role);
    cell(row, String(s.head_seq));
    if (!s.shared) cell(row, new Date(s.created_at).toLocaleString());
    cell(row, exports(s));
    cell(row, actions(s)).className = "actions";
  }
  document.getElementById("shared-empty").hidden = shared.rows.length > 0;
  const trashBody = document.querySelector("#trash-list tbody");
  trashBody.replaceChildren();
  for (const s of trash.scores) {
    const row = trashBody.insertRow();
    row.dataset.scoreId = s.id;
    cell(row, s.title || "Untitled");
    cell(row, new Date(s.deleted_at).toLocaleString());
    cell(row, new Date(s.purge_at).toLocaleDateString());
    cell(
      row,
      button("Restore", "restore", async () => {
        await api(`/api/trash/${encodeURIComponent(s.id)}/restore`, { method: "POST", body: {} });
        await refresh();
      }),
    );
  }
  document.getElementById("trash-count").textContent = trash.scores.length ? `(${trash.scores.length})` : "";
}

let searchTimer = null;
search.addEventListener("input", () => {
  clearTimeout(searchTimer);
  searchTimer = setTimeout(() => refresh().catch((e) => (error.textContent = e.message)), 200);
});
sort.addEventListener("change", () => refresh().catch((e) => (error.textContent = e.message)));

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
