// The timer's arithmetic, shared by every page (and mirrored by app/agenda/service.py).
// The server sends timestamps only when something changes; each page computes what to
// show from them and its own estimate of the server's clock (live.serverNow()).

import { request } from "./api.js";

/**
 * {phase, remainingMs, paused}: phase is before | idle | normal | warning | overrun | finished.
 * "before" counts down to the scheduled start; "overrun" has remainingMs < 0.
 */
export function timerNumbers(t, nowMs) {
  if (!t) return { phase: "idle", remainingMs: 0, paused: false };
  const plannedMs = ((t.planned || 0) + (t.adjust || 0)) * 1000;
  if (t.state === "finished") return { phase: "finished", remainingMs: 0, paused: false };
  if (t.state === "idle" || t.started_at === null) {
    if (t.scheduled_start !== null && t.scheduled_start > nowMs) {
      return { phase: "before", remainingMs: t.scheduled_start - nowMs, paused: false };
    }
    return { phase: "idle", remainingMs: plannedMs, paused: false };
  }
  const until = t.paused_at !== null ? t.paused_at : nowMs;
  const elapsed = until - t.started_at - (t.paused_total || 0) * 1000;
  const remainingMs = plannedMs - elapsed;
  let phase = "normal";
  if (remainingMs < 0) phase = "overrun";
  else if (remainingMs <= (t.warning || 0) * 1000) phase = "warning";
  return { phase, remainingMs, paused: t.state === "paused" };
}

/** "9:59", "1:02:03"; overrun counts up with a plus sign: "+0:12". */
export function formatClock(ms) {
  const over = ms < 0;
  // Counting down we round up (0:01 until it is really over); counting up, down.
  const total = over ? Math.floor(-ms / 1000) : Math.ceil(ms / 1000);
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = String(total % 60).padStart(2, "0");
  const body = h ? `${h}:${String(m).padStart(2, "0")}:${s}` : `${m}:${s}`;
  return over ? `+${body}` : body;
}

/** Seconds behind (>0) or ahead (<0) of the plan: done segments plus the current overrun. */
export function scheduleDelta(t, nowMs) {
  if (!t) return 0;
  let delta = t.done_delta || 0;
  if ((t.state === "running" || t.state === "paused") && t.started_at !== null) {
    const wall = (nowMs - t.started_at) / 1000 + (t.current_before || 0);
    delta += Math.max(0, wall - t.planned);
  }
  return delta;
}

export function describeDelta(seconds) {
  const abs = Math.abs(Math.round(seconds));
  if (abs < 30) return "on schedule";
  const m = Math.floor(abs / 60);
  const s = abs % 60;
  const amount = m ? `${m} min${s ? ` ${s} s` : ""}` : `${s} s`;
  return seconds > 0 ? `${amount} behind schedule` : `${amount} ahead of schedule`;
}

/** Keep the latest timer view from the snapshot and timer.updated events; call fn on change. */
export function watchTimer(store, fn) {
  let timer = (store.parts && store.parts.timer) || null;
  store.subscribe((s, change) => {
    if (change.type === "snapshot") timer = (s.parts && s.parts.timer) || null;
    else if (change.type === "timer.updated") timer = change.data.timer || timer;
    else return;
    fn(timer);
  });
  return () => timer;
}

/** REST calls of the timer, the agenda and notes (docs/agenda.md). */
export function timerApi(slug) {
  const base = `/api/sessions/${encodeURIComponent(slug)}`;
  return {
    action: (action, body) => request("POST", `${base}/timer/${action}`, body),
    settings: (body) => request("PATCH", `${base}/timer`, body),
    addSegment: (body) => request("POST", `${base}/agenda`, body),
    editSegment: (id, body) => request("PATCH", `${base}/agenda/${id}`, body),
    removeSegment: (id) => request("DELETE", `${base}/agenda/${id}`),
    reorder: (ids) => request("PUT", `${base}/agenda/order`, { ids }),
    note: (kind, text) => request("POST", `${base}/notes`, text ? { kind, text } : { kind }),
    ack: (id) => request("POST", `${base}/notes/${id}/ack`),
  };
}
