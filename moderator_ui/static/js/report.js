// Rapporteur page (laptop): the session live, a star on the questions worth reporting, and
// notes that are saved as typed (report-notes.js). Downloads come from the report API.

import { request } from "./api.js";
import { $, $$, channelLabel, el, renderKeyed, setChildren, setText, slugFromPath } from "./dom.js";
import { startLive } from "./live.js";
import { titleFrom } from "./page.js";
import { NoteField } from "./report-notes.js";
import { ReportStore } from "./report-store.js";
import { attempt, toast } from "./toast.js";

const slug = slugFromPath();
const store = new ReportStore();
const base = `/api/sessions/${encodeURIComponent(slug)}`;
const fields = new Map(); // section -> NoteField
const STATE_ORDER = { on_stage: 0, answered: 1, queued: 2, inbox: 3 };
const STATE_WORDS = { on_stage: "on stage", answered: "answered", queued: "queued", inbox: "inbox" };

for (const link of $$("a[data-format]")) link.href = `${base}/report?format=${link.dataset.format}`;

function field(section, textarea, status) {
  if (!fields.has(section)) fields.set(section, new NoteField({ slug, section, textarea, status }));
  return fields.get(section);
}

for (const textarea of $$("textarea[data-section]")) {
  const section = textarea.dataset.section;
  field(section, textarea, $(`[data-status-for="${section}"]`));
}

// One notes field per agenda segment, made once the agenda is known (it rarely changes).
let agendaKey = null;
function renderSegments() {
  const agenda = (store.session && store.session.agenda) || [];
  const key = JSON.stringify(agenda.map((s) => [s.index, s.title]));
  if (key === agendaKey) return;
  agendaKey = key;
  const box = $("#segment-notes");
  const nodes = agenda.map((seg) => {
    const section = `segment:${seg.index}`;
    const id = `note-segment-${seg.index}`;
    const old = fields.get(section);
    const textarea = old ? old.textarea : el("textarea", { id, rows: 3, maxlength: 20000, dataset: { section } });
    const status = old ? old.status : el("p", { class: "note-status", "aria-live": "polite", dataset: { statusFor: section } });
    field(section, textarea, status);
    const speaker = seg.speaker ? ` · ${seg.speaker}` : "";
    return el(
      "div",
      { class: "note-field" },
      el("label", { for: id }, `${seg.index + 1}. ${seg.title}${speaker}`),
      textarea,
      status,
    );
  });
  setChildren(box, nodes);
}

function questionItem(q) {
  const starred = store.highlights.has(q.id);
  return el(
    "li",
    { class: ["rq", `rq--${q.state}`, starred && "rq--starred"], dataset: { id: q.id } },
    el(
      "button",
      {
        type: "button",
        class: ["star", starred && "star--on"],
        dataset: { star: q.id },
        "aria-pressed": String(starred),
        "aria-label": starred ? "Remove from the report's highlights" : "Highlight in the report",
      },
      starred ? "★" : "☆",
    ),
    el(
      "div",
      { class: "rq-body" },
      el("p", { class: "rq-text" }, q.text),
      el(
        "p",
        { class: "rq-meta" },
        [channelLabel(q.channel), q.author, STATE_WORDS[q.state], q.votes ? `${q.votes} votes` : null]
          .filter(Boolean)
          .join(" · "),
      ),
    ),
  );
}

function renderQuestions() {
  const list = [...store.questions.values()]
    .filter((q) => q.state in STATE_ORDER)
    .sort((a, b) => STATE_ORDER[a.state] - STATE_ORDER[b.state] || b.id - a.id);
  renderKeyed($("#rep-list"), list, {
    id: (q) => q.id,
    sig: (q) => String(store.highlights.has(q.id)),
    render: questionItem,
  });
  $("#rep-empty").hidden = list.length > 0;
  const all = [...store.questions.values()];
  const answered = all.filter((q) => q.state === "answered").length;
  const remote = all.filter((q) => !["audience", "room", "floor"].includes(q.channel)).length;
  setText(
    $("#rep-counts"),
    all.length ? `${all.length} received · ${answered} answered · ${remote} remote · ${store.highlights.size} starred` : "",
  );
}

function render(_store, change = {}) {
  titleFrom(store, "Rapporteur");
  setText($("#session-title"), store.session ? store.session.title : "");
  renderSegments();
  renderQuestions();
  const snapshot = change.type === "snapshot";
  if (snapshot || change.type === "report.note") {
    for (const [section, f] of fields) {
      if (snapshot || (change.data && change.data.note && change.data.note.section === section)) {
        f.fromServer(store.notes[section], { snapshot });
      }
    }
  }
}

document.addEventListener("click", (ev) => {
  const button = ev.target.closest("button[data-star]");
  if (!button) return;
  const id = Number(button.dataset.star);
  const on = !store.highlights.has(id);
  button.disabled = true;
  attempt(() => request("PUT", `${base}/report/highlights/${id}`, { highlighted: on })).finally(() => {
    button.disabled = false;
  });
});

window.addEventListener("pagehide", () => {
  for (const f of fields.values()) f.flushOnExit();
});

store.subscribe(render);
render(store, {});
window.__fbReport = { fields, store };
startLive({ slug, store, onError: (detail) => toast(detail) });
