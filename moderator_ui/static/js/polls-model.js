// The page's polls, fed by the live socket: the snapshot's `polls` part, then
// poll.updated / poll.removed / poll.results events. Every poll view reads from here.

export class Polls {
  constructor(store) {
    this.polls = new Map(); // id -> poll (as this role may see it)
    this.listeners = new Set();
    store.subscribe((s, change) => this.apply(s, change));
  }

  onChange(fn) {
    this.listeners.add(fn);
    fn(this);
  }

  apply(store, change) {
    if (change.type === "snapshot") {
      const list = (store.parts && store.parts.polls) || [];
      this.polls = new Map(list.map((p) => [p.id, p]));
    } else if (change.type === "poll.updated") {
      // Carries the current results when this role may see them, null otherwise.
      this.polls.set(change.data.poll.id, change.data.poll);
    } else if (change.type === "poll.removed") {
      this.polls.delete(change.data.id);
    } else if (change.type === "poll.results") {
      const poll = this.polls.get(change.data.poll_id);
      if (!poll) return;
      this.polls.set(poll.id, { ...poll, results: change.data.results, state: change.data.results.state });
    } else {
      return;
    }
    for (const fn of this.listeners) {
      try {
        fn(this);
      } catch (err) {
        console.error("poll view failed", err);
      }
    }
  }

  /** Oldest first. */
  list() {
    return [...this.polls.values()].sort((a, b) => a.id - b.id);
  }

  get onScreen() {
    return this.list().find((p) => p.show_screen) || null;
  }
}
