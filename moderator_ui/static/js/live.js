// The one live connection every page uses: WS /s/{slug}/live.
//
// - On every (re)connect it sends {"type":"resume","after":lastSeq}; the server replays
//   what we missed, in order, or sends a snapshot. Nothing is lost across a drop.
// - Events carry a per-session seq; we apply each seq once and remember the highest.
// - Reconnects by itself: exponential backoff 0.5 s doubling to 10 s, full jitter.
// - Clock sync through ping/pong (see clock.js); serverNow() for timers.
// - A banner (#conn-banner, present on every page) says "reconnecting…" while down.

import { t } from "./i18n.js";
import { Clock } from "./clock.js";

const BACKOFF_BASE_MS = 500;
const BACKOFF_MAX_MS = 10_000;
const SYNC_SAMPLES = 5; // pings right after connecting
const SYNC_SPACING_MS = 200; // apart, so they do not queue behind each other
const PING_EVERY_MS = 30_000;
const PONG_TIMEOUT_MS = 10_000; // no pong by then: the socket is dead (sleeping wifi)
const RESUME_TIMEOUT_MS = 10_000; // no answer to "resume" by then: try again

// Close codes from docs/protocol.md that reconnecting cannot fix.
const FATAL = {
  4401: "This link is not valid (any more). Open your role link again.",
  4404: "This session does not exist.",
  4410: "This link was replaced; ask for the new one.",
};

const PAGE_ROLES = { "": "audience", console: "moderator", stage: "stage", screen: "screen",
  report: "rapporteur" };

export class LiveClient {
  constructor({ slug, store, onStatus = () => {}, onError = () => {} }) {
    this.slug = slug;
    this.store = store;
    this.onStatus = onStatus;
    this.onError = onError;
    this.clock = new Clock();
    this.lastSeq = null;
    this.socket = null;
    this.status = "idle"; // connecting | live | reconnecting | closed
    this.attempt = 0;
    this.everLive = false;
    this.retryTimer = null;
    this.pingTimers = [];
    this.pending = new Map(); // ping t -> timeout id
    this.stopped = false;
  }

  get url() {
    const scheme = location.protocol === "https:" ? "wss" : "ws";
    // Ask for this page's view: one browser may hold several role cookies.
    const as = PAGE_ROLES[location.pathname.split("/")[3] || ""] || "audience";
    return `${scheme}://${location.host}/s/${encodeURIComponent(this.slug)}/live?as=${as}`;
  }

  start() {
    this.stopped = false;
    // Come back at once when the network or the tablet wakes up, not after the backoff.
    this.wake = () => {
      if (!this.stopped && this.retryTimer !== null) {
        clearTimeout(this.retryTimer);
        this.retryTimer = null;
        this.connect();
      }
    };
    window.addEventListener("online", this.wake);
    document.addEventListener("visibilitychange", () => {
      if (document.visibilityState === "visible") this.wake();
    });
    this.connect();
    return this;
  }

  stop() {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    this.clearPings();
    if (this.socket) this.socket.close(1000);
    this.setStatus("closed");
  }

  serverNow() {
    return this.clock.now();
  }

  setStatus(status, detail = "") {
    this.status = status;
    this.onStatus(status, detail);
  }

  connect() {
    this.setStatus(this.everLive ? "reconnecting" : "connecting");
    let socket;
    try {
      socket = new WebSocket(this.url);
    } catch {
      this.scheduleReconnect();
      return;
    }
    this.socket = socket;
    let gotFrame = false;

    // A handshake to a vanished host, or a server that never answers "resume", can hang
    // for minutes before the browser gives up: cut it short and retry.
    this.pingTimers.push(
      setTimeout(() => {
        if (!gotFrame) this.drop(socket, 4000, "no answer to resume");
      }, RESUME_TIMEOUT_MS),
    );

    socket.addEventListener("open", () => {
      socket.send(JSON.stringify({ type: "resume", after: this.lastSeq }));
      // When nothing was missed (or nothing this role may see) the replay is empty and
      // the server sends nothing; the pong to this ping is then the proof we are live.
      this.ping(socket);
    });

    socket.addEventListener("message", (msg) => {
      if (socket !== this.socket) return;
      let frame;
      try {
        frame = JSON.parse(msg.data);
      } catch {
        return; // the server only sends JSON; ignore anything else rather than die
      }
      if (!gotFrame) {
        // The resume was answered (replay, snapshot or our pong): live, backoff reset.
        gotFrame = true;
        this.attempt = 0;
        this.everLive = true;
        this.setStatus("live");
        this.startPings(socket);
      }
      this.handle(frame);
    });

    socket.addEventListener("close", (ev) => {
      if (socket !== this.socket) return;
      this.socket = null;
      this.clearPings();
      if (this.stopped) return;
      if (FATAL[ev.code]) {
        this.setStatus("closed", FATAL[ev.code]);
        return;
      }
      this.scheduleReconnect();
    });
    // "error" is always followed by "close"; the reconnect happens there.
  }

  /**
   * Give up on a socket now. We do not wait for its "close" event: on a dead network the
   * closing handshake can take minutes, and the page must say "reconnecting…" at once.
   */
  drop(socket = this.socket, code = 4000, reason = "dropped by client") {
    if (!socket || socket !== this.socket) return;
    this.socket = null;
    this.clearPings();
    try {
      socket.close(code, reason);
    } catch {
      /* already closing */
    }
    if (!this.stopped) this.scheduleReconnect();
  }

  scheduleReconnect() {
    this.setStatus(this.everLive ? "reconnecting" : "connecting");
    const cap = Math.min(BACKOFF_MAX_MS, BACKOFF_BASE_MS * 2 ** this.attempt);
    this.attempt += 1;
    const delay = Math.random() * cap; // full jitter: a room of tablets does not stampede
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      this.connect();
    }, delay);
  }

  handle(frame) {
    if (frame.type === "pong") {
      this.onPong(frame);
      return;
    }
    if (frame.type === "error") {
      this.onError(frame.detail || "server error");
      return;
    }
    if (frame.type === "snapshot") {
      this.store.applySnapshot(frame.data || {});
      if (typeof frame.seq === "number") this.lastSeq = frame.seq;
      return;
    }
    if (typeof frame.seq !== "number") return;
    // Each seq once: a replay that overlaps what we already applied is skipped.
    if (this.lastSeq !== null && frame.seq <= this.lastSeq) return;
    this.lastSeq = frame.seq;
    this.store.applyEvent(frame);
  }

  startPings(socket) {
    for (let i = 0; i < SYNC_SAMPLES; i++) {
      this.pingTimers.push(setTimeout(() => this.ping(socket), i * SYNC_SPACING_MS));
    }
    this.pingTimers.push(setInterval(() => this.ping(socket), PING_EVERY_MS));
  }

  ping(socket) {
    if (socket !== this.socket || socket.readyState !== WebSocket.OPEN) return;
    let t = Date.now();
    while (this.pending.has(t)) t += 1; // keep t unique so each pong matches one ping
    this.pending.set(
      t,
      setTimeout(() => {
        // A silent socket is worse than a closed one: drop it and reconnect.
        this.drop(socket, 4000, "pong timeout");
      }, PONG_TIMEOUT_MS),
    );
    socket.send(JSON.stringify({ type: "ping", t }));
  }

  onPong(frame) {
    const timer = this.pending.get(frame.t);
    if (timer === undefined) return;
    clearTimeout(timer);
    this.pending.delete(frame.t);
    this.clock.addSample(frame.t, frame.server, Date.now());
  }

  clearPings() {
    for (const id of this.pingTimers) {
      clearTimeout(id);
      clearInterval(id);
    }
    this.pingTimers = [];
    for (const id of this.pending.values()) clearTimeout(id);
    this.pending.clear();
  }
}

const BANNER_TEXT = {
  connecting: () => t("conn.connecting"),
  reconnecting: () => t("conn.reconnecting"),
};

/** Show the connection state in #conn-banner (hidden while live). */
export function bindBanner(banner) {
  return (status, detail) => {
    document.documentElement.dataset.live = status;
    if (!banner) return;
    const text = status === "closed" ? detail : BANNER_TEXT[status] && BANNER_TEXT[status]();
    banner.textContent = text || "";
    banner.hidden = !text;
    banner.classList.toggle("conn-banner--fatal", status === "closed");
  };
}

/**
 * Start the live client for this page. Exposes window.__fbLive for debugging and the
 * browser tests (they close .socket, or call .drop(), to exercise the reconnect path).
 */
export function startLive({ slug, store, onError }) {
  const client = new LiveClient({
    slug,
    store,
    onStatus: bindBanner(document.getElementById("conn-banner")),
    onError,
  });
  window.__fbLive = client;
  return client.start();
}
