// The console's Zoom panel: each linked meeting or webinar number with its state (live,
// ended), last event and messages received; the server's signature failures; the
// "Import Zoom Q&A" button and the Q&A report CSV upload (accounts without API access).
//
// Zoom's status is not on the live socket (lifecycle events and counters live in the
// server's memory, GET /api/sessions/{slug}/zoom), so we poll it every few seconds while
// the page is visible, stop when it is hidden, and ask at once when a Zoom question
// arrives over the socket. Everything the server sends is shown as text.

import { request, upload } from "./api.js";
import { $, age, el, setChildren, setText } from "./dom.js";
import { lang, t, tn } from "./i18n.js";

const POLL_MS = 4000;
const SOON_MS = 250; // a burst of Zoom messages: one status read
const MAX_CSV_BYTES = 1024 * 1024; // the server's limit too
const QA_NOTE = t("zoom.qa_note");
const STATE_LABEL = { live: t("zoom.state_live"), ended: t("zoom.state_ended"), unknown: t("zoom.state_unknown") };
// The server's notes are English: shown as they are on an English console only.
const serverWords = (text, fallback) => (lang === "en" && text ? text : fallback);

export function mountZoomPanel({ slug, store, live, root = $("#zoom-panel") }) {
  if (!root) return;
  const base = `/api/sessions/${encodeURIComponent(slug)}/zoom`;
  let status = null;
  let timer = null;
  let reading = false;
  let readAgain = false;
  let off = false; // Zoom is neither enabled nor linked here: nothing to show or poll

  const links = el("ul", { class: "zoom-links" });
  const server = el("p", { class: "zoom-server" });
  const importButton = el(
    "button",
    { type: "button", class: "btn btn-small zoom-import", onclick: importQa },
    t("zoom.import"),
  );
  const fileInput = el("input", {
    type: "file",
    accept: ".csv,text/csv",
    class: "zoom-csv-input",
    onchange: uploadCsv,
  });
  const result = el("p", { class: "zoom-result", role: "status", "aria-live": "polite" });
  const note = el("p", { class: "zoom-note" }, QA_NOTE);
  setChildren(
    root,
    el("h2", { class: "zoom-title", id: "zoom-title" }, "Zoom"),
    links,
    server,
    el(
      "div",
      { class: "zoom-qa" },
      importButton,
      el("label", { class: "btn btn-small zoom-csv" }, t("zoom.upload"), fileInput),
    ),
    result,
    note,
  );

  // ---------------------------------------------------------------- status

  function stateOf(link) {
    if (link.live === true) return "live";
    if (link.live === false) return "ended";
    return "unknown";
  }

  function when(iso) {
    if (!iso) return "";
    const at = new Date(iso);
    if (Number.isNaN(at.getTime())) return String(iso);
    const clock = at.toLocaleTimeString(lang, { hour: "2-digit", minute: "2-digit", second: "2-digit" });
    return t("zoom.ago", { clock, age: age(iso, live.serverNow()) });
  }

  const fact = (cls, text) => el("span", { class: cls }, text);
  const KIND = { webinar: "zoom.webinar", meeting: "zoom.meeting" };

  function linkItem(link) {
    const state = stateOf(link);
    const facts = [
      fact("zoom-last", t("zoom.last", { when: link.last_event_at ? when(link.last_event_at) : t("zoom.none_yet") })),
      fact("zoom-messages", t("zoom.messages", { n: link.messages_received ?? 0 })),
    ];
    if (link.filtered_private) {
      facts.push(fact("zoom-private", t("zoom.private", { n: link.filtered_private })));
    }
    if (link.qa_error) facts.push(fact("zoom-qa-error", t("zoom.qa_failed", { error: link.qa_error })));
    else if (link.qa_imported_at) {
      facts.push(fact("zoom-qa-at", t("zoom.qa_at", { when: when(link.qa_imported_at) })));
    }
    return el(
      "li",
      { class: ["zoom-link", `zoom-link--${state}`], dataset: { zoomId: String(link.zoom_id), state } },
      fact("zoom-id", KIND[link.kind] ? t(KIND[link.kind], { id: String(link.zoom_id) }) : `Zoom ${link.zoom_id}`),
      fact("zoom-state", STATE_LABEL[state]),
      facts,
    );
  }

  function serverLine() {
    const failures = status.signature_failures || 0;
    let text = t(status.enabled ? "zoom.webhook_on" : "zoom.webhook_off");
    text += ` · ${t("zoom.sig", { n: failures })}`;
    if (failures && status.last_signature_failure) {
      const at = status.last_signature_failure_at;
      text += ` ${t("zoom.sig_last", { what: `${status.last_signature_failure}${at ? `, ${when(at)}` : ""}` })}`;
    }
    setText(server, text);
    server.classList.toggle("zoom-server--failures", failures > 0);
  }

  function render() {
    if (!status) return;
    const items = Array.isArray(status.links) ? status.links : [];
    setChildren(
      links,
      items.length
        ? items.map(linkItem)
        : el("li", { class: "zoom-none" }, t("zoom.no_link")),
    );
    serverLine();
    setText(note, serverWords(status.qa_note, QA_NOTE));
  }

  async function refresh() {
    clearTimeout(timer);
    timer = null;
    if (reading) {
      readAgain = true;
      return;
    }
    reading = true;
    try {
      status = await request("GET", base);
      off = !status.enabled && !(status.links && status.links.length);
      root.hidden = off;
      render();
    } catch (err) {
      if (err && err.status === 404) off = true; // no Zoom endpoints on this server
      else if (status) setText(server, t("zoom.status_failed", { error: err.detail || err.message || String(err) }));
      root.hidden = off || !status;
    } finally {
      reading = false;
      if (readAgain) {
        readAgain = false;
        refresh();
      } else schedule();
    }
  }

  function schedule(delay = POLL_MS) {
    clearTimeout(timer);
    timer = null;
    if (off || document.visibilityState === "hidden") return;
    timer = setTimeout(refresh, delay);
  }

  function soon() {
    if (reading) readAgain = true; // the read in flight may predate what just arrived
    else schedule(SOON_MS);
  }

  // ---------------------------------------------------------------- Q&A

  function show(text, kind) {
    result.dataset.kind = kind;
    setText(result, text);
  }

  // The server's import report: {fetched, stored, duplicates, answered, errors, note}.
  function describe(report, source) {
    const errors = report.errors || [];
    if (!report.fetched && errors.length) return [t("zoom.import_failed", { error: errors.join("; ") }), "error"];
    if (!report.fetched) {
      const text = source === "zoom"
        ? t("zoom.nothing_zoom", { why: serverWords(report.note, QA_NOTE) })
        : t("zoom.nothing_file");
      return [text, "ok"];
    }
    let text = tn(source === "zoom" ? "zoom.imported_zoom" : "zoom.imported_file", report.stored, {
      total: report.fetched,
    });
    if (report.duplicates) text += ` ${t("zoom.dups", { n: report.duplicates })}`;
    text += ".";
    if (errors.length) text += ` ${t("zoom.not_imported", { errors: errors.join("; ") })}`;
    return [text, errors.length ? "error" : "ok"];
  }

  async function importQa() {
    importButton.disabled = true;
    show(t("zoom.asking"), "busy");
    try {
      show(...describe(await request("POST", `${base}/qa/import`), "zoom"));
    } catch (err) {
      show(t("zoom.import_failed", { error: err.detail || err.message || String(err) }), "error");
    } finally {
      importButton.disabled = false;
      refresh();
    }
  }

  async function uploadCsv() {
    const file = fileInput.files && fileInput.files[0];
    if (!file) return;
    fileInput.value = ""; // the same file may be chosen again
    if (file.size > MAX_CSV_BYTES) {
      show(t("zoom.too_big", { name: file.name }), "error");
      return;
    }
    show(t("zoom.reading", { name: file.name }), "busy");
    try {
      show(...describe(await upload(`${base}/qa/csv`, file), "file"));
    } catch (err) {
      show(t("zoom.file_failed", { error: err.detail || err.message || String(err) }), "error");
    } finally {
      refresh();
    }
  }

  // ---------------------------------------------------------------- when to read

  store.subscribe((_, change) => {
    const q = change && change.data && change.data.question;
    const zoomish =
      change.type === "question.created" && q && String(q.channel || "").startsWith("zoom");
    if (change.type === "snapshot" || zoomish) soon();
  });
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "visible") refresh();
    else schedule(); // hidden: clears the timer
  });
  window.addEventListener("pagehide", () => {
    clearTimeout(timer);
    timer = null;
  });
  window.addEventListener("pageshow", (ev) => {
    if (ev.persisted) refresh();
  });
  refresh();
}
