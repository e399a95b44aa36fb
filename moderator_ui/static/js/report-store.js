// The shared Store, plus what only the rapporteur (and moderator) receive: the notes and
// highlights part of the snapshot and the report.* events. It also keeps the agenda with
// each segment's id (the timer part and every timer.updated event carry it), so notes are
// tied to a segment, not to its place, and console edits show up without a reload.

import { Store } from "./store.js";

export class ReportStore extends Store {
  constructor() {
    super();
    this.notes = {}; // section -> {section, text, rev, updated_at}
    this.highlights = new Set();
    this.agenda = []; // [{id, index, title, speaker, kind, ...}] in agenda order
  }

  setAgenda(list) {
    if (Array.isArray(list)) this.agenda = list.filter((seg) => seg && seg.id !== undefined);
  }

  applySnapshot(data) {
    const part = data.report || {};
    this.notes = { ...(part.notes || {}) };
    this.highlights = new Set(part.highlights || []);
    this.setAgenda(data.timer && data.timer.agenda);
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
    if (event.type === "timer.updated" && data.timer) this.setAgenda(data.timer.agenda);
    return super.applyEvent(event);
  }
}
