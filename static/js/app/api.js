// Same-origin JSON calls to the Tutti HTTP API. Never talks to another origin.

export async function api(path, { method = "GET", body, form } = {}) {
  const init = { method, credentials: "same-origin", headers: {} };
  if (form) init.body = form;
  else if (body !== undefined) {
    init.headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  const response = await fetch(path, init);
  let data = null;
  try {
    data = await response.json();
  } catch {
    data = { ok: false, error: { code: "bad_response", message: response.statusText } };
  }
  if (!response.ok || data.ok === false) {
    const error = new Error((data.error && data.error.message) || response.statusText);
    error.status = response.status;
    error.code = data.error && data.error.code;
    throw error;
  }
  return data;
}

export async function currentUser() {
  try {
    return (await api("/api/me")).user;
  } catch {
    return null;
  }
}
