// REST calls to /api/sessions/{slug}/... Auth rides on the role cookie (same origin).
// Errors come back as {"detail": "..."}; we turn them into ApiError so callers can show
// the server's own words (in a toast) instead of swallowing them. The server speaks
// English: on a page in another language the error says the same thing per status
// (err.401, err.429...), from the catalogue, and keeps the server's words in `serverDetail`.

import { has, lang, t } from "./i18n.js";

export class ApiError extends Error {
  constructor(status, detail) {
    super(detail);
    this.status = status;
    this.detail = detail;
  }
}

function describe(detail) {
  if (typeof detail === "string") return detail;
  // FastAPI validation errors: [{loc, msg, ...}]
  if (Array.isArray(detail)) return detail.map((d) => d.msg || JSON.stringify(d)).join("; ");
  return JSON.stringify(detail);
}

export async function request(method, path, body) {
  const init = { method, headers: {} };
  if (body !== undefined) {
    init.headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  return send(path, init);
}

/** POST a file as the multipart form field `file` (e.g. a CSV report); answers like
 * request(). The browser sets the multipart Content-Type and its boundary itself. */
export function upload(path, file, field = "file") {
  const form = new FormData();
  form.append(field, file, file.name || field);
  return send(path, { method: "POST", body: form });
}

async function send(path, init) {
  init.credentials = "same-origin";
  init.headers = { Accept: "application/json", ...init.headers };
  let response;
  try {
    response = await fetch(path, init);
  } catch (err) {
    throw new ApiError(0, t("err.network"));
  }
  const text = await response.text();
  let data = null;
  try {
    data = text ? JSON.parse(text) : null;
  } catch {
    data = null;
  }
  if (!response.ok) {
    const detail =
      data && data.detail !== undefined
        ? describe(data.detail)
        : `${response.status} ${response.statusText}`;
    const error = new ApiError(response.status, translated(response.status, detail));
    error.serverDetail = detail;
    throw error;
  }
  return data;
}

/** The server's (English) sentence on an English page; the catalogue's one otherwise. */
function translated(status, detail) {
  if (lang === "en") return detail;
  const key = status >= 500 ? "err.500" : `err.${status}`;
  return has(key) ? t(key) : t("err.400");
}

/** Calls scoped to one session. */
export function sessionApi(slug) {
  const base = `/api/sessions/${encodeURIComponent(slug)}`;
  const q = (id) => `${base}/questions/${encodeURIComponent(id)}`;
  return {
    // inRoom: the asker said "I'm in the room" (the report counts them onsite).
    ask: (text, name, inRoom = false) =>
      request("POST", `${base}/questions`, { text, ...(name ? { name } : {}), ...(inRoom ? { in_room: true } : {}) }),
    action: (id, action) => request("POST", `${q(id)}/actions/${action}`),
    edit: (id, text) => request("PATCH", q(id), { text }),
    move: (id, position) => request("PATCH", q(id), { position }),
    merge: (id, into) => request("POST", `${q(id)}/merge`, { into }),
    upvote: (id) => request("POST", `${q(id)}/upvote`),
    stageNext: () => request("POST", `${base}/stage/next`),
  };
}
