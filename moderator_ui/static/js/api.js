// REST calls to /api/sessions/{slug}/... Auth rides on the role cookie (same origin).
// Errors come back as {"detail": "..."}; we turn them into ApiError so callers can show
// the server's own words (in a toast) instead of swallowing them.

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
    throw new ApiError(0, "Network error: the server could not be reached.");
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
    throw new ApiError(response.status, detail);
  }
  return data;
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
