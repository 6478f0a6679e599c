// The classes page: a student's assignments (open, turn in, see returned grades) and, for
// each class one teaches, the dashboard: join code, students, roster import, co-teachers,
// new assignments, and per assignment every copy with its state, last activity and each
// student's contribution numbers from the log, grading, return, reset and CSV exports.

import { api } from "./api.js";

const error = document.getElementById("classes-error");
const teaching = document.getElementById("teaching");

function el(tag, props = {}, ...children) {
  const node = Object.assign(document.createElement(tag), props);
  for (const child of children) if (child !== null && child !== undefined) node.append(child);
  return node;
}

function when(iso) {
  return iso ? new Date(iso).toLocaleString([], { dateStyle: "medium", timeStyle: "short" }) : "—";
}

function stateBadge(sub) {
  const label = { created: "not turned in", turned_in: "turned in", returned: "returned", reset: "reset" }[sub.state];
  return el("span", {}, el("span", { className: `state ${sub.state}` }, label), sub.late ? el("span", { className: "late" }, "late") : null);
}

function button(text, onClick, props = {}) {
  const b = el("button", { type: "button", textContent: text, ...props });
  b.addEventListener("click", () => run(onClick));
  return b;
}

async function run(action) {
  error.textContent = "";
  try {
    await action();
  } catch (e) {
    error.textContent = e.message;
  }
}

function openLink(score, text = "Open") {
  return el("a", { href: `/scores/${encodeURIComponent(score)}`, textContent: text });
}

// --- a student's own work ---------------------------------------------------------------

async function showMyWork() {
  const { assignments } = await api("/api/my/assignments");
  const body = document.querySelector("#my-work tbody");
  body.replaceChildren();
  document.getElementById("my-work-empty").hidden = assignments.length > 0;
  for (const a of assignments) {
    const sub = a.submission;
    const row = body.insertRow();
    row.dataset.submission = sub.id;
    const title = el("span", {}, el("strong", { textContent: a.title }));
    if (a.instructions) title.append(el("div", { className: "muted", textContent: a.instructions }));
    if (a.helper === "forbid") title.append(el("div", { className: "muted", textContent: "Helper off for this assignment" }));
    const grade = sub.grade === null || sub.grade === undefined ? "—" : `${sub.grade}${a.points ? ` / ${a.points}` : ""}`;
    const actions = el("span", {}, openLink(sub.score));
    if (sub.state !== "turned_in") {
      actions.append(" ", button("Turn in", async () => {
        await api(`/api/submissions/${sub.id}/turn-in`, { method: "POST", body: {} });
        await refresh();
      }, { className: "turn-in" }));
    }
    for (const content of [a.class_title, title, when(a.due), stateBadge(sub), grade, sub.feedback || "—", actions]) {
      const td = row.insertCell();
      td.append(content);
    }
  }
}

// --- the teacher's dashboard --------------------------------------------------------------

function contributionTable(sub) {
  const names = Object.keys(sub.contributions);
  const most = Math.max(1, ...names.map((n) => sub.contributions[n].notes_standing));
  const table = el("table", { className: "contrib" });
  const head = table.createTHead().insertRow();
  for (const h of ["Student", "Edits", "Notes written", "Standing", "From helper", "Active", ""]) head.append(el("th", { textContent: h }));
  const body = table.createTBody();
  for (const name of names) {
    const n = sub.contributions[name];
    const person = sub.students.find((s) => s.name === name);
    const row = body.insertRow();
    const bar = el("span", { className: "bar", title: `${n.notes_standing} notes standing` });
    bar.style.width = `${Math.round((60 * n.notes_standing) / most)}px`;
    const cells = [person ? person.display_name : name, n.edits, n.notes_written, n.notes_standing, n.helper_notes, `${Math.round(n.time_active_s / 60)} min`, bar];
    for (const c of cells) row.insertCell().append(String(c) === c || typeof c === "number" ? String(c) : c);
  }
  return table;
}

function assignmentBlock(a) {
  const box = el("div", { className: "assignment" });
  box.dataset.assignment = a.id;
  const facts = [a.mode === "group" ? "one score per group" : "one copy per student", a.due ? `due ${when(a.due)}` : "no due date", a.points ? `${a.points} points` : null, a.helper === "forbid" ? "helper forbidden" : "helper allowed", a.locked_notes ? `${a.locked_notes} given notes locked` : null].filter(Boolean);
  box.append(
    el("h4", { textContent: a.title }),
    el("div", { className: "muted", textContent: facts.join(" · ") }),
    el("div", {}, el("a", { href: `/api/assignments/${a.id}/status?format=csv`, textContent: "Status CSV", download: "" }), " · ", el("a", { href: `/api/assignments/${a.id}/grades.csv`, textContent: "Grades CSV", download: "" })),
  );
  const table = el("table", { className: "scores submissions" });
  const head = table.createTHead().insertRow();
  for (const h of ["Copy", "State", "Last activity", "Contributions", "Grade", ""]) head.append(el("th", { textContent: h }));
  const body = table.createTBody();
  for (const sub of a.submissions) {
    const row = body.insertRow();
    row.dataset.submission = sub.id;
    const grade = el("input", { type: "number", className: "grade", min: 0, step: "any", value: sub.grade ?? "", placeholder: "—" });
    if (a.points) grade.max = a.points;
    const feedback = el("input", { className: "feedback", value: sub.feedback || "", placeholder: "Overall comment" });
    const save = button("Save", async () => {
      await api(`/api/submissions/${sub.id}/grade`, { method: "POST", body: { grade: grade.value === "" ? null : Number(grade.value), feedback: feedback.value } });
      await refresh();
    }, { className: "save-grade" });
    const shown = sub.state === "returned" && sub.returned_grade !== null ? el("div", { className: "muted", textContent: `returned: ${sub.returned_grade}` }) : null;
    const tinted = el("a", { href: `/scores/${encodeURIComponent(sub.score)}?authorship=1`, textContent: "Tinted", className: "tinted", title: "Open with every note tinted by who wrote it" });
    const actions = el("span", {},
      openLink(sub.score), " · ", tinted, el("br"),
      button("Return", async () => { await api(`/api/submissions/${sub.id}/return`, { method: "POST", body: {} }); await refresh(); }, { className: "return", disabled: sub.state === "returned" }), " ",
      button("Reset", async () => { await api(`/api/submissions/${sub.id}/reset`, { method: "POST", body: {} }); await refresh(); }, { className: "reset" }),
    );
    const who = el("span", {}, el("strong", { textContent: sub.students.map((s) => s.display_name).join(", ") }));
    row.insertCell().append(who);
    row.insertCell().append(stateBadge(sub));
    row.insertCell().append(when(sub.last_activity));
    row.insertCell().append(contributionTable(sub));
    row.insertCell().append(grade, a.points ? ` / ${a.points}` : "", el("br"), feedback, " ", save, shown || "");
    row.insertCell().append(actions);
  }
  box.append(table);
  return box;
}

function newAssignmentForm(klass, scores) {
  const form = el("form", { className: "new-assignment" });
  const template = el("select", { name: "template" }, el("option", { value: "", textContent: "Blank score" }));
  for (const s of scores) template.append(el("option", { value: s.id, textContent: s.title }));
  const mode = el("select", { name: "mode" }, el("option", { value: "copy", textContent: "A copy per student" }), el("option", { value: "group", textContent: "A shared score per group" }));
  const groups = el("input", { name: "groups", placeholder: "ana,ben;cy,dee", disabled: true });
  mode.addEventListener("change", () => { groups.disabled = mode.value !== "group"; });
  const helper = el("select", { name: "helper" }, el("option", { value: "allow", textContent: "Helper allowed" }), el("option", { value: "forbid", textContent: "Helper forbidden" }));
  form.append(
    el("div", { className: "row" },
      el("label", {}, "Title ", el("input", { name: "title", required: true })),
      el("label", {}, "Template ", template),
      el("label", {}, "Mode ", mode),
      el("label", {}, "Groups ", groups)),
    el("div", { className: "row" },
      el("label", {}, helper),
      el("label", {}, "Due ", el("input", { name: "due", type: "date" })),
      el("label", {}, "Points ", el("input", { name: "points", type: "number", min: 1, className: "grade" })),
      el("label", {}, el("input", { name: "lock", type: "checkbox", checked: true }), " lock the template's notes")),
    el("label", {}, "Instructions", el("textarea", { name: "instructions" })),
    el("button", { type: "submit", textContent: "Create assignment" }),
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    run(async () => {
      const data = new FormData(form);
      const body = { title: data.get("title"), mode: data.get("mode"), helper: data.get("helper"), instructions: data.get("instructions"), lock: form.elements.lock.checked };
      if (data.get("template")) body.template = data.get("template");
      if (body.mode === "group") body.groups = data.get("groups");
      if (data.get("due")) body.due = data.get("due");
      if (data.get("points")) body.points = Number(data.get("points"));
      await api(`/api/classes/${klass.id}/assignments`, { method: "POST", body });
      await refresh();
    });
  });
  return el("details", {}, el("summary", { textContent: "New assignment" }), form);
}

function classCard(klass, scores) {
  const card = el("div", { className: "card class" });
  card.dataset.class = klass.id;
  const students = klass.students.map((s) => s.display_name).join(", ") || "no students yet";
  card.append(
    el("h2", { textContent: klass.title + (klass.archived ? " (archived)" : "") }),
    el("p", {}, "Join code ", el("span", { className: "code", textContent: klass.join_code }), ` · teachers: ${klass.teachers.map((t) => t.display_name).join(", ")}`),
    el("p", { className: "people", textContent: `Students (${klass.students.length}): ${students}` }),
  );
  const roster = el("textarea", { placeholder: "name,display_name,password" });
  const teacher = el("input", { placeholder: "user name" });
  card.append(el("details", {}, el("summary", { textContent: "Add students or a co-teacher" }),
    el("label", {}, "Roster CSV (name,display_name,password; existing accounts are enrolled as they are)", roster),
    button("Import roster", async () => { await api(`/api/classes/${klass.id}/roster`, { method: "POST", body: { csv: roster.value } }); await refresh(); }),
    el("div", { className: "row" }, el("label", {}, "Co-teacher ", teacher), button("Add", async () => { await api(`/api/classes/${klass.id}/teachers`, { method: "POST", body: { name: teacher.value } }); await refresh(); })),
    button(klass.archived ? "Unarchive class" : "Archive class", async () => { await api(`/api/classes/${klass.id}/archive`, { method: "POST", body: { archived: !klass.archived } }); await refresh(); }),
  ));
  if (!klass.archived) card.append(newAssignmentForm(klass, scores));
  for (const a of klass.assignments.slice().reverse()) card.append(assignmentBlock(a));
  return card;
}

async function showTeaching() {
  const { classes } = await api("/api/classes");
  const taught = classes.filter((c) => c.role === "teacher");
  let scores = [];
  if (taught.length) scores = ((await api("/api/scores")).scores || []).filter((s) => s.role === "owner" || s.role === "editor");
  const cards = [];
  for (const c of taught) cards.push(classCard(await api(`/api/classes/${c.id}`), scores));
  teaching.replaceChildren(...cards);
}

async function refresh() {
  await Promise.all([showMyWork(), showTeaching()]);
}

document.getElementById("join-form").addEventListener("submit", (event) => {
  event.preventDefault();
  run(async () => {
    await api("/api/classes/join", { method: "POST", body: { code: event.target.elements.code.value } });
    event.target.reset();
    await refresh();
  });
});
document.getElementById("class-form").addEventListener("submit", (event) => {
  event.preventDefault();
  run(async () => {
    await api("/api/classes", { method: "POST", body: { title: event.target.elements.title.value } });
    event.target.reset();
    await refresh();
  });
});

run(refresh);
