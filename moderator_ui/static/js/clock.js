// Offset between this device's clock and the server's, from ping/pong round trips.
// Timers on the stage tablet, the room screen and the console must agree to the second,
// and tablets' clocks are often minutes off. NTP's trick: the sample with the shortest
// round trip has the least room for asymmetric delay, so its offset is the best guess.

const KEEP = 12; // recent samples; old ones age out so slow drift is followed
const JUMP_MS = 1000; // the device clock was set (NTP, user): older samples are worthless
const STALE_MS = 90_000; // no pong for this long (3 missed refreshes): say so
// Sync quality from the best round trip: the offset is off by at most half of it.
const QUALITY = [
  [100, "good"],
  [400, "fair"],
];

function monotonicBase() {
  // Date.now() minus a clock that never jumps: changes only when the wall clock is set.
  return Date.now() - performance.now();
}

export class Clock {
  constructor() {
    this.samples = []; // {rtt, offset}
    this.offset = 0; // server ms - local ms
  }

  /** t: our Date.now() when sent; server: server ms in the pong; recv: Date.now() on arrival. */
  addSample(t, server, recv = Date.now()) {
    const rtt = recv - t;
    if (!(rtt >= 0) || !Number.isFinite(server)) return;
    const base = monotonicBase();
    if (this.base !== undefined && Math.abs(base - this.base) > JUMP_MS) this.samples = [];
    this.base = base;
    this.lastSampleAt = performance.now();
    this.samples.push({ rtt, offset: server - (t + recv) / 2 });
    if (this.samples.length > KEEP) this.samples.shift();
    this.offset = this.samples.reduce((best, s) => (s.rtt < best.rtt ? s : best)).offset;
  }

  get synced() {
    return this.samples.length > 0;
  }

  get bestRtt() {
    return this.samples.length ? Math.min(...this.samples.map((s) => s.rtt)) : null;
  }

  /** "none" | "good" | "fair" | "poor" | "stale": what the sync mark on the timer shows. */
  get quality() {
    if (!this.synced) return "none";
    if (performance.now() - this.lastSampleAt > STALE_MS) return "stale";
    const hit = QUALITY.find(([limit]) => this.bestRtt <= limit);
    return hit ? hit[1] : "poor";
  }

  /** Server time in ms since the epoch. */
  now() {
    return Date.now() + this.offset;
  }
}
