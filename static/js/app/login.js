// Log-in and sign-up forms: JSON posts, then back to where the user was going.

import { api } from "./api.js";

const error = document.getElementById("auth-error");
const next = new URLSearchParams(location.search).get("next") || "/";
const target = next.startsWith("/") && !next.startsWith("//") ? next : "/";

function bind(formId, path) {
  const form = document.getElementById(formId);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const body = Object.fromEntries(new FormData(form));
    if (!body.display_name) delete body.display_name;
    try {
      await api(path, { method: "POST", body });
      if (path === "/api/signup") await api("/api/login", { method: "POST", body });
      location.href = target;
    } catch (e) {
      error.textContent = e.message;
    }
  });
}

bind("login-form", "/api/login");
bind("signup-form", "/api/signup");
