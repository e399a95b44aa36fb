// The shared Store, plus what only the rapporteur (and moderator) receive: the notes and
// highlights part of the snapshot and the report.* events.

import { Store } from "./store.js";

export class ReportStore extends Store {
  constructor() {
    super();
    this.notes = {}; // section -> {section, text, rev, updated_at}
    this.highlights = new Set();
  }

  applySnapshot(data) {
    const part = data.report || {};
    this.notes = { ...(part.notes || {}) };
    this.highlights = new Set(part.highlights || []);
    super.applySnapshot(data);
  }

  applyEvent(event) {
    const data = event.data || {};
    if (event.type === "report.note" && data.note) {
      this.notes = { ...this.notes, [data.note.section]: data.note };
      this.notify({ type: event.type, data });
      return true;
    }
    if (event.type === "report.highlight") {
      const next = new Set(this.highlights);
      if (data.highlighted) next.add(data.question_id);
      else next.delete(data.question_id);
      this.highlights = next;
      this.notify({ type: event.type, data });
      return true;
    }
    return super.applyEvent(event);
  }
}
