// Offset between this device's clock and the server's, from ping/pong round trips.
// Timers on the stage tablet, the room screen and the console must agree to the second,
// and tablets' clocks are often minutes off. NTP's trick: the sample with the shortest
// round trip has the least room for asymmetric delay, so its offset is the best guess.

const KEEP = 12; // recent samples; old ones age out so slow drift is followed

export class Clock {
  constructor() {
    this.samples = []; // {rtt, offset}
    this.offset = 0; // server ms - local ms
  }

  /** t: our Date.now() when sent; server: server ms in the pong; recv: Date.now() on arrival. */
  addSample(t, server, recv = Date.now()) {
    const rtt = recv - t;
    if (!(rtt >= 0) || !Number.isFinite(server)) return;
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

  /** Server time in ms since the epoch. */
  now() {
    return Date.now() + this.offset;
  }
}
