// Notes saved as typed: a field saves its whole text 600 ms after the last keystroke, and
// keeps retrying (1 s doubling to 5 s) while the server is away. The text also sits in
// localStorage until the server has it, so a reload or a crash of the laptop loses nothing.
// A field being typed in is never overwritten by the server's (older) copy.

import { request } from "./api.js";
import { setText } from "./dom.js";
import { t } from "./i18n.js";

const DEBOUNCE_MS = 600;
const RETRY_MIN_MS = 1000;
const RETRY_MAX_MS = 5000;

export class NoteField {
  constructor({ slug, section, textarea, status }) {
    this.slug = slug;
    this.section = section;
    this.textarea = textarea;
    this.status = status;
    this.saved = null; // the text the server is known to hold
    this.dirty = false;
    this.saving = false;
    this.timer = null;
    this.retryMs = RETRY_MIN_MS;
    this.draftKey = `fb_report_draft:${slug}:${section}`;
    textarea.addEventListener("input", () => this.edited());
    textarea.addEventListener("blur", () => this.dirty && this.flush());
    const draft = this.readDraft();
    if (draft !== null) {
      textarea.value = draft;
      this.edited();
    }
  }

  get url() {
    return `/api/sessions/${encodeURIComponent(this.slug)}/report/notes/${encodeURIComponent(this.section)}`;
  }

  edited() {
    this.dirty = true;
    this.writeDraft(this.textarea.value);
    this.show(t("rnote.editing"), "editing");
    this.schedule(DEBOUNCE_MS);
  }

  schedule(ms) {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.flush(), ms);
  }

  async flush() {
    clearTimeout(this.timer);
    if (this.saving) return; // the running save re-checks when it ends
    const text = this.textarea.value;
    this.saving = true;
    this.show(t("rnote.saving"), "saving");
    try {
      const note = await request("PUT", this.url, { text });
      this.saved = note.text;
      this.retryMs = RETRY_MIN_MS;
      if (this.textarea.value === text) {
        this.dirty = false;
        this.clearDraft();
        this.show(t("rnote.saved"), "saved");
      } else {
        this.schedule(DEBOUNCE_MS); // typed on while we were saving
      }
    } catch (err) {
      const why = err && err.status === 0 ? t("rnote.unreachable") : (err && err.detail) || t("err.500");
      this.show(t("rnote.retrying", { why }), "error");
      if (!(err && err.status >= 400 && err.status < 500)) {
        this.schedule(this.retryMs);
        this.retryMs = Math.min(RETRY_MAX_MS, this.retryMs * 2);
      }
    } finally {
      this.saving = false;
    }
  }

  /** The server's copy (snapshot or another tab's save): shown unless we are ahead of it. */
  fromServer(note, { snapshot = false } = {}) {
    const text = note ? note.text : "";
    this.saved = text;
    if (this.dirty) {
      // Reconnected (a snapshot): push what we have at once rather than wait for a retry.
      if (snapshot && !this.saving) this.schedule(0);
      return;
    }
    if (this.textarea.value !== text) this.textarea.value = text;
    if (note) this.show(t("rnote.saved"), "saved");
  }

  /** Page is going away: last chance to send unsaved text (the draft stays as a fallback). */
  flushOnExit() {
    if (!this.dirty) return;
    try {
      fetch(this.url, {
        method: "PUT",
        keepalive: true,
        credentials: "same-origin",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ text: this.textarea.value }),
      });
    } catch {
      /* the draft in localStorage still has it */
    }
  }

  show(text, kind) {
    if (!this.status) return;
    setText(this.status, text);
    this.status.dataset.state = kind;
    this.textarea.dataset.state = kind;
  }

  readDraft() {
    try {
      return localStorage.getItem(this.draftKey);
    } catch {
      return null;
    }
  }

  writeDraft(text) {
    try {
      localStorage.setItem(this.draftKey, text);
    } catch {
      /* storage full or disabled: the server save still runs */
    }
  }

  clearDraft() {
    try {
      localStorage.removeItem(this.draftKey);
    } catch {
      /* nothing to clear */
    }
  }
}
