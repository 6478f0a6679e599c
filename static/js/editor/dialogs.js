// A small modal form on the page's <dialog>: ask(title, fields) -> values or null.

export function ask(title, fields) {
  const dialog = document.getElementById("dialog");
  const form = document.getElementById("dialog-form");
  form.replaceChildren();
  const heading = document.createElement("h3");
  heading.textContent = title;
  form.appendChild(heading);
  for (const f of fields) {
    const label = document.createElement("label");
    label.textContent = f.label;
    let input;
    if (f.options) {
      input = document.createElement("select");
      for (const [value, text] of f.options) {
        const option = document.createElement("option");
        option.value = value;
        option.textContent = text;
        input.appendChild(option);
      }
    } else {
      input = document.createElement("input");
      input.type = f.type || "text";
    }
    input.name = f.name;
    if (f.value !== undefined) input.value = String(f.value);
    label.appendChild(input);
    form.appendChild(label);
  }
  const row = document.createElement("div");
  const ok = document.createElement("button");
  ok.value = "ok";
  ok.textContent = "OK";
  const cancel = document.createElement("button");
  cancel.value = "cancel";
  cancel.textContent = "Cancel";
  cancel.formNoValidate = true;
  row.append(ok, " ", cancel);
  form.appendChild(row);
  return new Promise((resolve) => {
    dialog.onclose = () => {
      if (dialog.returnValue !== "ok") return resolve(null);
      const values = {};
      for (const f of fields) values[f.name] = form.elements[f.name].value;
      resolve(values);
    };
    dialog.returnValue = "";
    dialog.showModal();
    const first = form.querySelector("input, select");
    if (first) first.focus();
  });
}
