// The page's copy of the session: questions by id, what is on stage, the queue order.
// Fed only by live.js (snapshot or events), so every page shows the same truth.

export const STATES = ["inbox", "queued", "on_stage", "answered", "dismissed", "merged"];

export class Store {
  constructor() {
    this.session = null;
    this.questions = new Map(); // id -> question object (replaced, never mutated, on update)
    this.onStage = null; // id | null
    this.listeners = new Set();
  }

  /** Call fn(store, change) after every change; returns an unsubscribe function. */
  subscribe(fn) {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  notify(change) {
    for (const fn of this.listeners) {
      try {
        fn(this, change);
      } catch (err) {
        // One broken view must not stop the others from updating.
        console.error("store listener failed", err);
      }
    }
  }

  /** A snapshot replaces everything the page holds. */
  applySnapshot(data) {
    this.session = data.session ?? this.session;
    this.parts = data; // domains' own snapshot parts (timer, notes, polls...), read by their views
    this.questions = new Map();
    for (const q of data.questions || []) this.questions.set(q.id, q);
    this.onStage = data.on_stage ?? null;
    // Screen/stage views may only carry the question itself: trust its state too.
    if (this.onStage === null) {
      for (const q of this.questions.values()) if (q.state === "on_stage") this.onStage = q.id;
    }
    this.notify({ type: "snapshot" });
  }

  /** Apply one live event ({type, data}); unknown types are ignored (forward compatible). */
  applyEvent(event) {
    const data = event.data || {};
    switch (event.type) {
      case "question.created":
      case "question.updated":
        this.upsert(data.question);
        break;
      case "question.removed":
        this.remove(data.id);
        break;
      case "queue.reordered":
        this.reorder(data.ids || []);
        break;
      case "session.updated":
        if (data.session) this.session = data.session;
        break;
      default:
        // Not ours (timer.*, note.*, ...): domain views listen for it through subscribe().
        this.notify({ type: event.type, data });
        return false;
    }
    this.notify({ type: event.type, data });
    return true;
  }

  upsert(question) {
    if (!question || question.id === undefined) return;
    const prev = this.questions.get(question.id);
    // Views differ in which fields they carry; keep what an earlier frame told us.
    this.questions.set(question.id, prev ? { ...prev, ...question } : question);
    if (question.state === "on_stage") {
      // At most one on stage; the previous holder's own event says where it went.
      this.onStage = question.id;
    } else if (this.onStage === question.id) {
      this.onStage = null;
    }
  }

  remove(id) {
    this.questions.delete(id);
    if (this.onStage === id) this.onStage = null;
  }

  reorder(ids) {
    ids.forEach((id, index) => {
      const q = this.questions.get(id);
      if (q) this.questions.set(id, { ...q, position: index + 1 });
    });
  }

  /** Local update from a REST answer (e.g. upvote count) before the event arrives. */
  patch(id, fields) {
    const q = this.questions.get(id);
    if (!q) return;
    this.questions.set(id, { ...q, ...fields });
    this.notify({ type: "local.patch", data: { id } });
  }

  get(id) {
    return this.questions.get(id) ?? null;
  }

  get stageQuestion() {
    return this.onStage === null ? null : this.get(this.onStage);
  }

  /** Questions in one state; queued ones in the moderator's order, others newest first
   *  (answered: most recently answered is unknown, so by id, newest first). */
  byState(state) {
    const list = [...this.questions.values()].filter((q) => q.state === state);
    if (state === "queued") return list.sort(byPosition);
    if (state === "inbox") return list.sort(byCreated);
    return list.sort((a, b) => b.id - a.id);
  }

  /** The queue, in order. */
  get queue() {
    return this.byState("queued");
  }

  counts() {
    const counts = Object.fromEntries(STATES.map((s) => [s, 0]));
    for (const q of this.questions.values()) counts[q.state] = (counts[q.state] || 0) + 1;
    return counts;
  }
}

function byPosition(a, b) {
  const pa = a.position ?? Number.MAX_SAFE_INTEGER;
  const pb = b.position ?? Number.MAX_SAFE_INTEGER;
  return pa - pb || a.id - b.id;
}

// Inbox oldest first: the moderator works through it top to bottom like a mail queue.
function byCreated(a, b) {
  return (Date.parse(a.created_at) || 0) - (Date.parse(b.created_at) || 0) || a.id - b.id;
}
