// Rapporteur page (laptop): the session live, a star on the questions worth reporting, and
// notes that are saved as typed (report-notes.js). Downloads come from the report API.
//
// One notes field per agenda segment, filed under the segment's id (`seg:ID`): moving a
// segment in the console moves its field with it, and segments added, renamed or removed
// there show up here live (the agenda rides on every timer.updated event).

import { lang, mountLanguageMenu, t, tn } from "./i18n.js";
import { request } from "./api.js";
import { $, $$, channelLabel, el, renderKeyed, setText, slugFromPath } from "./dom.js";
import { startLive } from "./live.js";
import { titleFrom } from "./page.js";
import { setupDraft } from "./report-draft.js";
import { NoteField } from "./report-notes.js";
import { ReportStore } from "./report-store.js";
import { attempt, toast } from "./toast.js";

const slug = slugFromPath();
const store = new ReportStore();
const base = `/api/sessions/${encodeURIComponent(slug)}`;
const fields = new Map(); // section -> NoteField
const STATE_ORDER = { on_stage: 0, answered: 1, queued: 2, inbox: 3 };
const STATE_WORDS = { on_stage: t("state.on_stage"), answered: t("state.answered"), queued: t("state.queued"), inbox: t("state.inbox") };
const FILTERS = {
  all: () => true,
  highlighted: (q) => store.highlights.has(q.id),
  answered: (q) => q.state === "answered",
};
const view = { filter: "all", hideSimulated: false, search: "" };

mountLanguageMenu($("#lang"));
// The report comes in the page's language (the API's default is the session's language).
for (const link of $$("a[data-format]")) link.href = `${base}/report?format=${link.dataset.format}&lang=${lang}`;
setupDraft(base);

function field(section, textarea, status) {
  if (!fields.has(section)) fields.set(section, new NoteField({ slug, section, textarea, status }));
  return fields.get(section);
}

for (const textarea of $$("textarea[data-section], input[data-section]")) {
  const section = textarea.dataset.section;
  field(section, textarea, $(`[data-status-for="${section}"]`));
}

// ------------------------------------------------------------------ segment notes

const segmentBoxes = new Map(); // segment id -> {node, label, section}

function segmentBox(seg) {
  let box = segmentBoxes.get(seg.id);
  if (!box) {
    const section = `seg:${seg.id}`;
    const id = `note-seg-${seg.id}`;
    const textarea = el("textarea", { id, rows: 3, maxlength: 20000, dataset: { section } });
    const status = el("p", { class: "note-status", "aria-live": "polite", dataset: { statusFor: section } });
    const label = el("label", { for: id });
    const node = el("div", { class: "note-field", dataset: { segmentId: seg.id } }, label, textarea, status);
    field(section, textarea, status).fromServer(store.notes[section]);
    box = { node, label, section };
    segmentBoxes.set(seg.id, box);
  }
  const speaker = seg.speaker ? ` · ${seg.speaker}` : "";
  setText(box.label, `${seg.index + 1}. ${seg.title}${speaker}`);
  return box;
}

function renderSegments() {
  const agenda = store.agenda;
  const parent = $("#segment-notes");
  const active = document.activeElement;
  const caret = active && active.tagName === "TEXTAREA" ? [active.selectionStart, active.selectionEnd] : null;
  const nodes = agenda.map((seg) => segmentBox(seg).node);
  const keep = new Set(agenda.map((seg) => seg.id));
  for (const [id, box] of segmentBoxes) {
    if (keep.has(id)) continue;
    segmentBoxes.delete(id); // removed in the console: its field goes (its draft stays stored)
    fields.delete(box.section);
  }
  let cursor = parent.firstChild;
  for (const node of nodes) {
    if (node === cursor) cursor = cursor.nextSibling;
    else parent.insertBefore(node, cursor);
  }
  while (cursor) {
    const after = cursor.nextSibling;
    cursor.remove();
    cursor = after;
  }
  // A field moved while being typed in keeps the caret where it was.
  if (caret && document.activeElement !== active && active.isConnected) {
    active.focus();
    active.setSelectionRange(caret[0], caret[1]);
  }
}

// ---------------------------------------------------------------------- questions

function questionItem(q) {
  const starred = store.highlights.has(q.id);
  return el(
    "li",
    { class: ["rq", `rq--${q.state}`, starred && "rq--starred", q.simulated && "rq--simulated"], dataset: { id: q.id } },
    el(
      "button",
      {
        type: "button",
        class: ["star", starred && "star--on"],
        dataset: { star: q.id },
        "aria-pressed": String(starred),
        "aria-label": t(starred ? "rep.unstar" : "rep.star"),
      },
      starred ? "★" : "☆",
    ),
    el(
      "div",
      { class: "rq-body" },
      el("p", { class: "rq-text", dir: "auto" }, q.text),
      el(
        "p",
        { class: "rq-meta" },
        q.simulated ? el("span", { class: "tag tag-sim" }, t("common.simulated")) : null,
        [channelLabel(q.channel), q.author, STATE_WORDS[q.state], q.votes ? tn("poll.votes", q.votes) : null]
          .filter(Boolean)
          .join(" · "),
      ),
    ),
  );
}

function matches(q) {
  if (!FILTERS[view.filter](q)) return false;
  if (view.hideSimulated && q.simulated) return false;
  if (!view.search) return true;
  const hay = `${q.text} ${q.author || ""} ${channelLabel(q.channel)}`.toLowerCase();
  return view.search.split(/\s+/).every((word) => hay.includes(word));
}

function renderQuestions() {
  const shown = [...store.questions.values()].filter((q) => q.state in STATE_ORDER);
  const list = shown
    .filter(matches)
    .sort((a, b) => STATE_ORDER[a.state] - STATE_ORDER[b.state] || b.id - a.id);
  renderKeyed($("#rep-list"), list, {
    id: (q) => q.id,
    sig: (q) => String(store.highlights.has(q.id)),
    render: questionItem,
  });
  const filtered = view.filter !== "all" || view.hideSimulated || view.search;
  $("#rep-empty").hidden = list.length > 0;
  setText($("#rep-empty"), t(shown.length && filtered ? "rep.no_match" : "rep.empty"));
  setText($("#rep-shown"), filtered ? t("rep.shown", { shown: list.length, total: shown.length }) : "");
  for (const button of $$("button[data-filter]")) {
    button.setAttribute("aria-pressed", String(button.dataset.filter === view.filter));
  }
  const all = [...store.questions.values()];
  const answered = all.filter((q) => q.state === "answered").length;
  const remote = all.filter((q) => !["audience", "room", "floor"].includes(q.channel)).length;
  const simulated = all.filter((q) => q.simulated).length;
  setText(
    $("#rep-counts"),
    all.length
      ? [
          t("rep.received", { n: all.length }),
          t("rep.answered_n", { n: answered }),
          t("rep.remote_n", { n: remote }),
          simulated ? t("rep.simulated_n", { n: simulated }) : null,
          t("rep.starred_n", { n: store.highlights.size }),
        ]
          .filter(Boolean)
          .join(" · ")
      : "",
  );
}

// ------------------------------------------------------------------------ render

function render(_store, change = {}) {
  titleFrom(store, t("rep.role"));
  setText($("#session-title"), store.session ? store.session.title : "");
  const snapshot = change.type === "snapshot";
  if (snapshot || change.type === undefined || change.type === "timer.updated") renderSegments();
  renderQuestions();
  if (snapshot || change.type === "report.note") {
    for (const [section, f] of fields) {
      if (snapshot || (change.data && change.data.note && change.data.note.section === section)) {
        f.fromServer(store.notes[section], { snapshot });
      }
    }
  }
}

document.addEventListener("click", (ev) => {
  const filter = ev.target.closest("button[data-filter]");
  if (filter && filter.dataset.filter in FILTERS) {
    view.filter = filter.dataset.filter;
    renderQuestions();
    return;
  }
  const button = ev.target.closest("button[data-star]");
  if (!button) return;
  const id = Number(button.dataset.star);
  const on = !store.highlights.has(id);
  button.disabled = true;
  attempt(() => request("PUT", `${base}/report/highlights/${id}`, { highlighted: on })).finally(() => {
    button.disabled = false;
  });
});

$("#rep-search").addEventListener("input", (ev) => {
  view.search = ev.target.value.trim().toLowerCase();
  renderQuestions();
});
$("#rep-hide-sim").addEventListener("change", (ev) => {
  view.hideSimulated = ev.target.checked;
  renderQuestions();
});

window.addEventListener("pagehide", () => {
  for (const f of fields.values()) f.flushOnExit();
});

store.subscribe(render);
render(store, {});
window.__fbReport = { fields, store };
startLive({ slug, store, onError: (detail) => toast(detail) });
