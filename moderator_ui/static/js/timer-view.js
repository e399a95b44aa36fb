// The big timer: remaining time in its colour state, the segment and speaker, what comes
// next, and a small mark for how well this page's clock is synced to the server's.
// Redrawn a few times a second from timestamps; nothing here counts by itself.

import { el, setText } from "./dom.js";
import { announcer, t as tr } from "./i18n.js";
import { formatClock, timerNumbers, watchTimer } from "./timer-core.js";

const TICK_MS = 100;
const SYNC = ["none", "good", "fair", "poor", "stale"];
const syncText = (quality) => (SYNC.includes(quality) ? tr(`timer.sync.${quality}`) : quality);
// Every phase in words too, not by colour alone (the colours come from data-phase).
const PHASES = ["before", "idle", "finished", "overrun", "warning"];
const phaseText = (n) =>
  n.paused ? tr("timer.paused") : PHASES.includes(n.phase) ? tr(`timer.${n.phase}`) : tr("timer.remaining");

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
    { class: `tmr tmr--${variant}`, "aria-label": tr("timer.aria"), dataset: { phase: "idle" } },
    el("div", { class: "tmr-head" }, label, sync),
    time,
    segment,
    speaker,
    next,
  );
  container.replaceChildren(root);
  const get = watchTimer(store, () => draw());
  // The stage hears the thresholds (a new segment, nearly over, over time), never the ticks.
  const say = variant === "stage" ? announcer("timer-announce") : null;
  let heard = null;
  let primed = false;

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
    setText(label, phaseText(n));
    const agenda = t.agenda || [];
    const cur = t.segment !== null ? agenda[t.segment] : null;
    if (say) announce(n, cur);
    setText(segment, cur ? cur.title : "");
    setText(speaker, cur && cur.speaker ? cur.speaker : "");
    const after = t.segment !== null && t.state !== "finished" ? agenda[t.segment + 1] : null;
    setText(next, after ? tr("timer.next", { title: after.title }) : "");
    const quality = live.clock.quality;
    if (sync.dataset.quality !== quality) {
      sync.dataset.quality = quality;
      sync.className = `tmr-sync tmr-sync--${quality}`;
    }
    const rtt = live.clock.bestRtt;
    const title = rtt === null ? syncText(quality) : `${syncText(quality)} (±${Math.ceil(rtt / 2)} ms)`;
    if (sync.title !== title) {
      sync.title = title;
      sync.setAttribute("aria-label", title);
    }
  }

  function announce(n, cur) {
    const running = cur && !n.paused && ["normal", "warning", "overrun"].includes(n.phase);
    const mark = running ? `${cur.id ?? cur.title}|${n.phase}` : null;
    const news = primed; // what the page found when it opened is not news
    primed = primed || document.documentElement.dataset.live === "live";
    if (mark === heard) return;
    heard = mark;
    if (!mark || !news) return;
    if (n.phase === "warning") say(tr("timer.say.warning", { title: cur.title, time: formatClock(n.remainingMs) }));
    else if (n.phase === "overrun") say(tr("timer.say.overrun", { title: cur.title }));
    else say(tr("timer.say.start", { title: cur.title }));
  }

  setInterval(draw, TICK_MS);
  draw();
  const handle = { get, numbers, root };
  window.__fbTimer = handle; // for the browser tests and debugging
  return handle;
}
