// Log-in and sign-up forms: JSON posts, then back to where the user was going.

import { api } from "./api.js";

const error = document.getElementById("auth-error");
const target = sameSitePath(document.getElementById("auth").dataset.next);

// The server already reduced ?next= to a same-site path (server/auth/redirects.py);
// checked again here so this page alone can never send anyone to another host.
export function sameSitePath(raw) {
  if (typeof raw !== "string" || !/^\/(?![/\\])[\x21-\x5b\x5d-\x7e]*$/.test(raw)) return "/";
  const url = new URL(raw, location.origin);
  return url.origin === location.origin ? url.pathname + url.search + url.hash : "/";
}

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
