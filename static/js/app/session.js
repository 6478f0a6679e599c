// Top bar on every page: who is logged in, and the log-out button.

import { api, currentUser } from "./api.js";

const user = await currentUser();
const who = document.getElementById("whoami");
const logout = document.getElementById("logout");
if (user) {
  who.textContent = user.display_name || user.name;
  logout.hidden = false;
  logout.addEventListener("click", async () => {
    await api("/api/logout", { method: "POST", body: {} });
    location.href = "/login";
  });
} else if (!location.pathname.startsWith("/login")) {
  location.href = `/login?next=${encodeURIComponent(location.pathname)}`;
}
