// The big timer: remaining time in its colour state, the segment and speaker, what comes
// next, and a small mark for how well this page's clock is synced to the server's.
// Redrawn a few times a second from timestamps; nothing here counts by itself.

import { el, setText } from "./dom.js";
import { formatClock, timerNumbers, watchTimer } from "./timer-core.js";

const TICK_MS = 100;
const SYNC_TEXT = {
  none: "clock not synced yet",
  good: "clock synced",
  fair: "clock synced (slow network)",
  poor: "clock sync uncertain (very slow network)",
  stale: "clock sync lost",
};
const PHASE_TEXT = {
  before: "Starts in",
  idle: "Not started",
  finished: "Agenda finished",
};

/**
 * mountTimer(container, {store, live, variant}) -> {get, numbers}.
 * variant: "stage" (huge), "screen" (room screen), "console" (compact).
 */
export function mountTimer(container, { store, live, variant = "stage" }) {
  const time = el("p", { class: "tmr-time", "aria-live": "off" });
  const label = el("p", { class: "tmr-label" });
  const segment = el("p", { class: "tmr-segment" });
  const speaker = el("p", { class: "tmr-speaker" });
  const next = el("p", { class: "tmr-next" });
  const sync = el("span", { class: "tmr-sync", role: "img" });
  const root = el(
    "section",
    { class: `tmr tmr--${variant}`, "aria-label": "Segment timer", dataset: { phase: "idle" } },
    el("div", { class: "tmr-head" }, label, sync),
    time,
    segment,
    speaker,
    next,
  );
  container.replaceChildren(root);
  const get = watchTimer(store, () => draw());

  function numbers() {
    return timerNumbers(get(), live.serverNow());
  }

  function draw() {
    const t = get();
    const n = numbers();
    // No agenda, no timer (the console keeps its panel: that is where segments are added).
    const empty = !t || (variant !== "console" && !(t.agenda || []).length);
    root.hidden = empty || (variant === "screen" && t.screen_timer === false);
    if (!t) return;
    root.dataset.phase = n.phase;
    root.dataset.state = t.state;
    root.dataset.remainingMs = String(Math.round(n.remainingMs));
    const shown = n.phase === "finished" ? "" : formatClock(n.remainingMs);
    if (time.textContent !== shown) time.textContent = shown;
    setText(label, n.paused ? "Paused" : PHASE_TEXT[n.phase] || (n.phase === "overrun" ? "Over time" : "Remaining"));
    const agenda = t.agenda || [];
    const cur = t.segment !== null ? agenda[t.segment] : null;
    setText(segment, cur ? cur.title : "");
    setText(speaker, cur && cur.speaker ? cur.speaker : "");
    const after = t.segment !== null && t.state !== "finished" ? agenda[t.segment + 1] : null;
    setText(next, after ? `Next: ${after.title}` : "");
    const quality = live.clock.quality;
    if (sync.dataset.quality !== quality) {
      sync.dataset.quality = quality;
      sync.className = `tmr-sync tmr-sync--${quality}`;
    }
    const rtt = live.clock.bestRtt;
    const title = rtt === null ? SYNC_TEXT[quality] : `${SYNC_TEXT[quality]} (±${Math.ceil(rtt / 2)} ms)`;
    if (sync.title !== title) {
      sync.title = title;
      sync.setAttribute("aria-label", title);
    }
  }

  setInterval(draw, TICK_MS);
  draw();
  const handle = { get, numbers, root };
  window.__fbTimer = handle; // for the browser tests and debugging
  return handle;
}
