// Console poll panel: prepare polls (any kind), open and close them, show the results on
// the room screen and/or the audience page, duplicate, export CSV; live bars for each.

import { request } from "./api.js";
import { el, renderKeyed, setChildren } from "./dom.js";
import { kindLabel, renderResults } from "./polls-bars.js";
import { Polls } from "./polls-model.js";
import { attempt, toast } from "./toast.js";

function form(base) {
  const question = el("input", { id: "poll-question", type: "text", maxlength: "300", required: true, placeholder: "Which area could benefit most from data for good?" });
  const kind = el(
    "select",
    { id: "poll-kind" },
    ["single", "multiple", "rating", "wordcloud", "open"].map((k) => el("option", { value: k }, kindLabel(k))),
  );
  const options = el("textarea", { id: "poll-options", rows: "4", placeholder: "One option per line" });
  const maxChoices = el("input", { id: "poll-max", type: "number", min: "1", max: "20", placeholder: "all" });
  const autoClose = el("input", { id: "poll-auto", type: "number", min: "1", placeholder: "off" });
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
    el("label", {}, "Question", question),
    el("label", {}, "Kind", kind),
    el("label", {}, "Options", options),
    el("label", {}, "At most (choices)", maxChoices),
    el("label", {}, "Close after (seconds)", autoClose),
    el("label", { class: "poll-check" }, zoom, "Count Zoom chat replies (1, 2… or A, B…)"),
    el("button", { type: "submit", class: "btn btn-primary", id: "poll-create" }, "Prepare poll"),
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
      toast("Poll prepared (draft).", "info");
    });
  });
  return node;
}

// Optional join code: phones must then type it (shown in the room) before their vote counts.
function joinCode(base) {
  const input = el("input", { id: "poll-join-code", type: "text", maxlength: "32", placeholder: "none", autocomplete: "off" });
  const node = el(
    "form",
    { class: "poll-join" },
    el("label", {}, "Join code for voting", input),
    el("button", { type: "submit", class: "btn btn-small" }, "Set"),
  );
  node.addEventListener("submit", (ev) => {
    ev.preventDefault();
    const code = input.value.trim() || null;
    attempt(async () => {
      await request("PUT", `${base}/poll-access`, { join_code: code });
      toast(code ? `Votes now need the join code ${code}.` : "No join code needed any more.", "info");
    });
  });
  return node;
}

function actions(base, poll) {
  const act = (action, label, extra = {}) =>
    el("button", { type: "button", class: ["btn", "btn-small", extra.primary && "btn-primary"], dataset: { pollAction: action, poll: poll.id } }, label);
  const buttons = [];
  if (poll.state === "draft") buttons.push(act("open", "Open voting", { primary: true }));
  if (poll.state === "open") buttons.push(act("close", "Close voting", { primary: true }));
  buttons.push(poll.show_screen ? act("hide_screen", "Hide from screen") : act("show_screen", "Show on screen"));
  buttons.push(poll.show_audience ? act("hide_audience", "Hide from audience") : act("show_audience", "Show to audience"));
  buttons.push(act("duplicate", "Duplicate"));
  const csv = el("a", { class: "btn btn-small", download: `poll-${poll.id}.csv` }, "CSV");
  csv.href = `${base}/polls/${poll.id}/results?format=csv`;
  buttons.push(csv);
  return el("div", { class: "poll-actions" }, buttons);
}

function card(base, poll) {
  const results = el("div", { class: "poll-results" });
  renderResults(results, poll, { zoom: true });
  const flags = [poll.state, poll.show_screen && "on screen", poll.show_audience && "shown to audience"].filter(Boolean);
  return el(
    "li",
    { class: ["poll-card", `poll-card--${poll.state}`], dataset: { pollId: poll.id } },
    el("h3", { class: "poll-question" }, poll.question),
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
  const empty = el("p", { class: "muted" }, "No polls yet: prepare one above.");
  setChildren(
    root,
    el("h2", { class: "poll-panel-title" }, "Polls"),
    el("details", { class: "poll-new" }, el("summary", {}, "Prepare a poll"), form(base), joinCode(base)),
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
