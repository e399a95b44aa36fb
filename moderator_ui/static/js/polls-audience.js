// Audience page: vote in the open poll(s) from a phone; see results once the moderator
// shows them. One ballot per audience id: voting again while open replaces the ballot.
// Open polls sit at the top of the page; closed ones fold away under one summary line.

import { ApiError, request } from "./api.js";
import { el, renderKeyed, setChildren, setText } from "./dom.js";
import { kindLabel, renderResults } from "./polls-bars.js";
import { Polls } from "./polls-model.js";

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
  const heading = el("h2", {}, "Live poll");
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
      fields = el("label", { class: "poll-text-label" }, poll.kind === "open" ? "Your answer" : "One word or a short phrase", box);
    } else {
      const multi = poll.kind === "multiple";
      fields = el(
        "fieldset",
        { class: "poll-choices" },
        el("legend", { class: "muted" }, multi ? `Choose up to ${poll.max_choices}` : "Choose one"),
        poll.options.map((label, i) => {
          const input = el("input", {
            type: multi ? "checkbox" : "radio",
            name: `poll-${poll.id}`,
            value: String(i),
            checked: Boolean(previous && previous.choices && previous.choices.includes(i)),
          });
          inputs.push(input);
          const prefix = poll.kind === "rating" ? "" : `${LETTERS[i]}. `;
          return el("label", { class: "poll-choice" }, input, el("span", {}, `${prefix}${label}`));
        }),
      );
      if (multi) limitChoices(inputs, poll.max_choices || inputs.length);
    }
    const code = el("input", { type: "text", class: "poll-code", maxlength: "32", autocomplete: "off", "aria-label": "Join code" });
    const codeRow = el("label", { class: "poll-code-row", hidden: true }, "Join code (shown in the room)", code);
    const button = el("button", { type: "submit", class: "btn btn-primary btn-block poll-send" }, previous ? "Change my vote" : "Vote");
    if (previous) setText(status, "Your vote is counted. You can change it while the poll is open.");
    const form = el("form", { class: "poll-form-aud" }, fields, codeRow, button, status);
    form.addEventListener("submit", async (ev) => {
      ev.preventDefault();
      const body = {};
      if (poll.kind === "wordcloud" || poll.kind === "open") body.text = inputs[0].value;
      else body.choices = inputs.filter((x) => x.checked).map((x) => Number(x.value));
      if (body.choices && body.choices.length === 0) {
        setText(status, "Pick an option first.");
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
        setText(button, "Change my vote");
        setText(status, "Thank you, your vote is counted.");
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
      el("h3", { class: "poll-question" }, poll.question),
      el("p", { class: "poll-meta muted" }, `${kindLabel(poll.kind)} · ${poll.state === "open" ? "voting is open" : "voting is closed"}`),
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
    setText(heading, open.length > 1 ? "Live polls" : "Live poll");
    renderKeyed(list, open, { id: (x) => x.id, render: card });
    if (closedList) {
      renderKeyed(closedList, closed, { id: (x) => x.id, render: card });
      closedBox.hidden = closed.length === 0;
      if (closedSummary) setText(closedSummary, closed.length === 1 ? "1 closed poll" : `${closed.length} closed polls`);
    }
  });
  return polls;
}
