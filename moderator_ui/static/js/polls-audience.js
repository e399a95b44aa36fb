// Audience page: vote in the open poll(s) from a phone; see results once the moderator
// shows them. One ballot per audience id: voting again while open replaces the ballot.
// Open polls sit at the top of the page; closed ones fold away under one summary line.

import { ApiError, request } from "./api.js";
import { el, renderKeyed, setChildren, setText } from "./dom.js";
import { kindLabel, renderResults } from "./polls-bars.js";
import { Polls } from "./polls-model.js";
import { t, tn } from "./i18n.js";

const LETTERS = "ABCDEFGHIJKLMNOPQRST";

function remembered(key) {
  try {
    return JSON.parse(localStorage.getItem(key) || "{}") || {};
  } catch {
    return {};
  }
}

/** A multiple-choice poll: once `most` boxes are ticked, the others cannot be ticked. */
export function limitChoices(inputs, most) {
  const update = () => {
    const full = inputs.filter((x) => x.checked).length >= most;
    for (const x of inputs) x.disabled = full && !x.checked;
  };
  for (const x of inputs) x.addEventListener("change", update);
  update();
}

export function mountAudiencePolls(root, { store, slug, closedBox = null, closedList = null, closedSummary = null }) {
  if (!root) return null;
  const base = `/api/sessions/${encodeURIComponent(slug)}`;
  const MINE = `fb_ballots:${slug}`;
  const CODE = `fb_join_code:${slug}`;
  const mine = remembered(MINE); // poll id -> what this phone voted (display only)
  const polls = new Polls(store);
  const forms = new Map(); // poll id -> its ballot form node
  const list = el("ol", { class: "poll-list poll-list--audience", id: "aud-polls" });
  const heading = el("h2", {}, t("apoll.live_one"));
  setChildren(root, heading, list);

  function save(id, ballot) {
    mine[id] = ballot;
    try {
      localStorage.setItem(MINE, JSON.stringify(mine));
    } catch {
      /* private mode: the server still has the ballot */
    }
  }

  async function send(poll, body) {
    let code = null;
    try {
      code = localStorage.getItem(CODE);
    } catch {
      /* no storage */
    }
    if (code) body.code = code;
    // A 401 (no audience id: reload the page) or 429 (too many) carries its own sentence.
    return request("POST", `${base}/polls/${poll.id}/votes`, body);
  }

  function ballotForm(poll) {
    const status = el("p", { class: "poll-status", role: "status", "aria-live": "polite" });
    const previous = mine[poll.id];
    let inputs = [];
    let fields;
    if (poll.kind === "wordcloud" || poll.kind === "open") {
      const box = poll.kind === "open"
        ? el("textarea", { name: "text", rows: "3", maxlength: "500", class: "poll-text" })
        : el("input", { name: "text", type: "text", maxlength: "40", class: "poll-text", autocomplete: "off" });
      inputs = [box];
      fields = el("label", { class: "poll-text-label" }, t(poll.kind === "open" ? "apoll.your_answer" : "apoll.word"), box);
    } else {
      const multi = poll.kind === "multiple";
      fields = el(
        "fieldset",
        { class: "poll-choices" },
        el("legend", { class: "muted" }, multi ? t("apoll.choose_up_to", { n: poll.max_choices }) : t("apoll.choose_one")),
        poll.options.map((label, i) => {
          const input = el("input", {
            type: multi ? "checkbox" : "radio",
            name: `poll-${poll.id}`,
            value: String(i),
            checked: Boolean(previous && previous.choices && previous.choices.includes(i)),
          });
          inputs.push(input);
          const prefix = poll.kind === "rating" ? "" : `${LETTERS[i]}. `;
          return el("label", { class: "poll-choice" }, input, el("span", { dir: "auto" }, `${prefix}${label}`));
        }),
      );
      if (multi) limitChoices(inputs, poll.max_choices || inputs.length);
    }
    const code = el("input", { type: "text", class: "poll-code", maxlength: "32", autocomplete: "off", "aria-label": t("apoll.join_code") });
    const codeRow = el("label", { class: "poll-code-row", hidden: true }, t("apoll.join_code_row"), code);
    const button = el("button", { type: "submit", class: "btn btn-primary btn-block poll-send" }, t(previous ? "apoll.change_vote" : "apoll.vote"));
    if (previous) setText(status, t("apoll.counted_change"));
    const form = el("form", { class: "poll-form-aud" }, fields, codeRow, button, status);
    form.addEventListener("submit", async (ev) => {
      ev.preventDefault();
      const body = {};
      if (poll.kind === "wordcloud" || poll.kind === "open") body.text = inputs[0].value;
      else body.choices = inputs.filter((x) => x.checked).map((x) => Number(x.value));
      if (body.choices && body.choices.length === 0) {
        setText(status, t("apoll.pick_first"));
        return;
      }
      if (!codeRow.hidden && code.value.trim()) {
        try {
          localStorage.setItem(CODE, code.value.trim());
        } catch {
          body.code = code.value.trim();
        }
      }
      button.disabled = true;
      try {
        const result = await send(poll, body);
        save(poll.id, result || body);
        setText(button, t("apoll.change_vote"));
        setText(status, t("apoll.thanks"));
        status.classList.remove("form-status--error");
        status.classList.add("form-status--ok");
        codeRow.hidden = true;
      } catch (err) {
        if (err instanceof ApiError && err.status === 403) codeRow.hidden = false;
        setText(status, err.detail || String(err));
        status.classList.remove("form-status--ok");
        status.classList.add("form-status--error");
      } finally {
        button.disabled = false;
      }
    });
    return form;
  }

  function card(poll) {
    const parts = [
      el("h3", { class: "poll-question", dir: "auto" }, poll.question),
      el("p", { class: "poll-meta muted" }, `${kindLabel(poll.kind)} · ${t(poll.state === "open" ? "apoll.is_open" : "apoll.is_closed")}`),
    ];
    if (poll.state === "open") {
      // Reuse the form across live updates, so a half-made choice survives a new tally.
      if (!forms.has(poll.id)) forms.set(poll.id, ballotForm(poll));
      parts.push(forms.get(poll.id));
    } else {
      forms.delete(poll.id);
    }
    if (poll.results) {
      const results = el("div", { class: "poll-results" });
      renderResults(results, poll);
      parts.push(results);
    }
    return el("li", { class: ["poll-card", `poll-card--${poll.state}`], dataset: { pollId: poll.id } }, parts);
  }

  polls.onChange((p) => {
    const items = p.list().reverse();
    const open = items.filter((x) => x.state === "open");
    const closed = items.filter((x) => x.state !== "open");
    root.hidden = open.length === 0;
    setText(heading, t(open.length > 1 ? "apoll.live_many" : "apoll.live_one"));
    renderKeyed(list, open, { id: (x) => x.id, render: card });
    if (closedList) {
      renderKeyed(closedList, closed, { id: (x) => x.id, render: card });
      closedBox.hidden = closed.length === 0;
      if (closedSummary) setText(closedSummary, tn("aud.closed_n", closed.length));
    }
  });
  return polls;
}
