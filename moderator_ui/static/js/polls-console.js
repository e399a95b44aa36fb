// Console poll panel: prepare polls (any kind), open and close them, show the results on
// the room screen and/or the audience page, duplicate, export CSV; live bars for each.

import { t } from "./i18n.js";
import { request } from "./api.js";
import { el, renderKeyed, setChildren } from "./dom.js";
import { kindLabel, renderResults } from "./polls-bars.js";
import { Polls } from "./polls-model.js";
import { attempt, toast } from "./toast.js";

function form(base) {
  const question = el("input", { id: "poll-question", type: "text", maxlength: "300", required: true, placeholder: t("pc.question_ph") });
  const kind = el(
    "select",
    { id: "poll-kind" },
    ["single", "multiple", "rating", "wordcloud", "open"].map((k) => el("option", { value: k }, kindLabel(k))),
  );
  const options = el("textarea", { id: "poll-options", rows: "4", placeholder: t("pc.options_ph") });
  const maxChoices = el("input", { id: "poll-max", type: "number", min: "1", max: "20", placeholder: t("pc.all") });
  const autoClose = el("input", { id: "poll-auto", type: "number", min: "1", placeholder: t("pc.off") });
  const zoom = el("input", { id: "poll-zoom", type: "checkbox" });
  const syncKind = () => {
    const choice = kind.value === "single" || kind.value === "multiple";
    options.closest("label").hidden = !choice;
    maxChoices.closest("label").hidden = kind.value !== "multiple";
  };
  kind.addEventListener("change", syncKind);
  const node = el(
    "form",
    { class: "poll-form", id: "poll-form" },
    el("label", {}, t("pc.question"), question),
    el("label", {}, t("pc.kind"), kind),
    el("label", {}, t("pc.options"), options),
    el("label", {}, t("pc.max"), maxChoices),
    el("label", {}, t("pc.auto_close"), autoClose),
    el("label", { class: "poll-check" }, zoom, t("pc.zoom")),
    el("button", { type: "submit", class: "btn btn-primary", id: "poll-create" }, t("pc.prepare")),
  );
  syncKind();
  node.addEventListener("submit", (ev) => {
    ev.preventDefault();
    const body = { question: question.value.trim(), kind: kind.value, zoom_votes: zoom.checked };
    if (kind.value === "single" || kind.value === "multiple") {
      body.options = options.value.split("\n").map((o) => o.trim()).filter(Boolean);
    }
    if (kind.value === "multiple" && maxChoices.value) body.max_choices = Number(maxChoices.value);
    if (autoClose.value) body.auto_close_seconds = Number(autoClose.value);
    attempt(async () => {
      await request("POST", `${base}/polls`, body);
      question.value = "";
      options.value = "";
      toast(t("pc.prepared"), "info");
    });
  });
  return node;
}

// Optional join code: phones must then type it (shown in the room) before their vote counts.
function joinCode(base) {
  const input = el("input", { id: "poll-join-code", type: "text", maxlength: "32", placeholder: t("pc.none_code"), autocomplete: "off" });
  const node = el(
    "form",
    { class: "poll-join" },
    el("label", {}, t("pc.join_code"), input),
    el("button", { type: "submit", class: "btn btn-small" }, t("pc.set")),
  );
  node.addEventListener("submit", (ev) => {
    ev.preventDefault();
    const code = input.value.trim() || null;
    attempt(async () => {
      await request("PUT", `${base}/poll-access`, { join_code: code });
      toast(code ? t("pc.code_set", { code }) : t("pc.code_none"), "info");
    });
  });
  return node;
}

function actions(base, poll) {
  const act = (action, label, extra = {}) =>
    el("button", { type: "button", class: ["btn", "btn-small", extra.primary && "btn-primary"], dataset: { pollAction: action, poll: poll.id } }, label);
  const buttons = [];
  if (poll.state === "draft") buttons.push(act("open", t("pc.open"), { primary: true }));
  if (poll.state === "open") buttons.push(act("close", t("pc.close"), { primary: true }));
  buttons.push(poll.show_screen ? act("hide_screen", t("pc.hide_screen")) : act("show_screen", t("pc.show_screen")));
  buttons.push(poll.show_audience ? act("hide_audience", t("pc.hide_audience")) : act("show_audience", t("pc.show_audience")));
  buttons.push(act("duplicate", t("pc.duplicate")));
  const csv = el("a", { class: "btn btn-small", download: `poll-${poll.id}.csv` }, "CSV");
  csv.href = `${base}/polls/${poll.id}/results?format=csv`;
  buttons.push(csv);
  return el("div", { class: "poll-actions" }, buttons);
}

function card(base, poll) {
  const results = el("div", { class: "poll-results" });
  renderResults(results, poll, { zoom: true });
  const state = ["draft", "open", "closed"].includes(poll.state) ? t(`pc.state.${poll.state}`) : poll.state;
  const flags = [state, poll.show_screen && t("pc.flag.on_screen"), poll.show_audience && t("pc.flag.audience")].filter(Boolean);
  return el(
    "li",
    { class: ["poll-card", `poll-card--${poll.state}`], dataset: { pollId: poll.id } },
    el("h3", { class: "poll-question", dir: "auto" }, poll.question),
    el("p", { class: "poll-meta muted" }, `${kindLabel(poll.kind)} · ${flags.join(" · ")}`),
    actions(base, poll),
    results,
  );
}

export function mountConsolePolls(root, { store, slug }) {
  if (!root) return null;
  const base = `/api/sessions/${encodeURIComponent(slug)}`;
  const polls = new Polls(store);
  const list = el("ol", { class: "poll-list", id: "poll-list" });
  const empty = el("p", { class: "muted" }, t("pc.none"));
  setChildren(
    root,
    el("h2", { class: "poll-panel-title" }, t("console.polls")),
    el("details", { class: "poll-new" }, el("summary", {}, t("pc.new")), form(base), joinCode(base)),
    list,
    empty,
  );
  root.hidden = false;
  root.addEventListener("click", (ev) => {
    const button = ev.target.closest("button[data-poll-action]");
    if (!button) return;
    button.disabled = true;
    attempt(() => request("POST", `${base}/polls/${button.dataset.poll}/actions/${button.dataset.pollAction}`)).finally(() => {
      button.disabled = false;
    });
  });
  polls.onChange((p) => {
    const items = p.list().reverse(); // newest first
    renderKeyed(list, items, { id: (x) => x.id, render: (x) => card(base, x) });
    empty.hidden = items.length > 0;
  });
  return polls;
}
