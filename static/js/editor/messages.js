// Refusals in musicians' words. The server's message names ops and ids (it is written
// for whoever debugs a client); the status line says what happened and what to do, by
// the error's code. The technical message is kept for the console.

const BY_CODE = {
  forbidden: "You can't change this score (ask an owner for editor access)",
  invalid_op: "That change no longer fits the score — someone may have changed it first",
  missing_target: "That note or bar is gone — someone changed it first",
  rate_limited: "Too many changes at once: slowing down, nothing is lost",
  too_large: "That change is too big to send at once",
  bad_request: "That change could not be understood",
  out_of_order: "Waiting for an earlier change to arrive first",
  server_error: "The server had a problem; your change will be sent again",
  no_ack: "No answer from the server yet; your change will be sent again",
};

/** Whether a server message reads as words for people (no op names, ids, reprs). */
function forPeople(message) {
  return Boolean(message) && !/[_{}[\]]|'[^']*'|\bop\b/.test(message);
}

/** Words for a refused edit. A refusal that explains itself to people (a role, a locked
 * template note, a turned-in copy) keeps its words; a technical one gets the code's. */
export function refusalText(error) {
  const code = error && typeof error === "object" ? error.code : null;
  const message = error && typeof error === "object" ? String(error.message || "") : String(error || "");
  if (code === "forbidden" && forPeople(message)) return message;
  if (code && BY_CODE[code]) return BY_CODE[code];
  if (forPeople(message)) return message;
  return "That change could not be made";
}
