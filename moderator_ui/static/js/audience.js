// Audience page (phone, no login): ask a question, upvote the visible ones, see what is
// on stage. The server gives this view no inbox, no dismissed items and no authors.

import { $, sourceLabel, el, renderKeyed, setText } from "./dom.js";
import { boot, titleFrom } from "./page.js";
import { mountAudiencePolls } from "./polls-audience.js";
import { attempt } from "./toast.js";

const { slug, store, api } = boot();
mountAudiencePolls($("#aud-polls-section"), { store, slug });
const MAX = 2000;
const VOTED_KEY = `fb_voted:${slug}`;
const NAME_KEY = "fb_name";

// ------------------------------------------------------------- remembered votes

function loadVoted() {
  try {
    const ids = JSON.parse(localStorage.getItem(VOTED_KEY) || "[]");
    return new Set(Array.isArray(ids) ? ids : []);
  } catch {
    return new Set(); // private mode or a corrupt value: start over, the server dedupes anyway
  }
}

const voted = loadVoted();
const voting = new Set(); // requests in flight

function rememberVote(id) {
  voted.add(id);
  try {
    localStorage.setItem(VOTED_KEY, JSON.stringify([...voted]));
  } catch {
    /* storage full or disabled: the button stays disabled for this page view only */
  }
}

// ------------------------------------------------------------------ rendering

function card(q) {
  const done = voted.has(q.id);
  const canVote = q.state !== "answered";
  const votes = q.votes ?? 0;
  return el(
    "li",
    { class: ["aq", `aq--${q.state}`], dataset: { id: q.id } },
    el(
      "div",
      { class: "aq-body" },
      el("p", { class: "aq-text" }, q.text),
      el("p", { class: "aq-meta" }, sourceLabel(q)),
    ),
    el(
      "button",
      {
        type: "button",
        class: ["vote", done && "vote--done"],
        dataset: { vote: q.id },
        disabled: done || !canVote || voting.has(q.id),
        "aria-pressed": String(done),
        "aria-label": `${done ? "You upvoted this" : "Upvote"}, ${votes} ${votes === 1 ? "vote" : "votes"}`,
      },
      el("span", { class: "vote-arrow", "aria-hidden": "true" }, "▲"),
      el("span", { class: "vote-count" }, String(votes)),
    ),
  );
}

// Rebuild a card only when its question or its vote button state changed.
const KEYED = {
  id: (q) => q.id,
  sig: (q) => `${voted.has(q.id)}|${voting.has(q.id)}`,
  render: card,
};

function render() {
  titleFrom(store, "Ask a question");
  setText($("#session-title"), store.session ? store.session.title : "Ask a question");

  const stage = store.stageQuestion;
  $("#aud-now").hidden = !stage;
  renderKeyed($("#aud-stage"), stage ? [stage] : [], KEYED);

  // Open questions: the moderator's order, which upvotes inform but do not override.
  const open = store.queue;
  renderKeyed($("#aud-list"), open, KEYED);
  $("#aud-empty").hidden = open.length > 0 || Boolean(stage);

  const answered = store.byState("answered");
  $("#aud-answered-section").hidden = answered.length === 0;
  renderKeyed($("#aud-answered"), answered, KEYED);
}

// ---------------------------------------------------------------------- voting

document.addEventListener("click", (ev) => {
  const button = ev.target.closest("button[data-vote]");
  if (!button) return;
  const id = Number(button.dataset.vote);
  if (voted.has(id) || voting.has(id)) return;
  voting.add(id);
  render();
  attempt(async () => {
    const result = await api.upvote(id);
    rememberVote(id);
    if (result && typeof result.votes === "number") store.patch(id, { votes: result.votes });
  }).finally(() => {
    voting.delete(id);
    render();
  });
});

// ------------------------------------------------------------------------ asking

const form = $("#ask-form");
const textBox = $("#ask-text");
const nameBox = $("#ask-name");
const counter = $("#ask-count");
const status = $("#ask-status");

try {
  nameBox.value = localStorage.getItem(NAME_KEY) || "";
} catch {
  /* no storage: the name field starts empty */
}

function updateCounter() {
  const n = textBox.value.length;
  setText(counter, `${n} / ${MAX}`);
  counter.classList.toggle("counter--near", n > MAX * 0.9);
}
textBox.addEventListener("input", () => {
  updateCounter();
  status.classList.remove("form-status--ok", "form-status--error");
  setText(status, "");
});
updateCounter();

form.addEventListener("submit", async (ev) => {
  ev.preventDefault();
  const text = textBox.value.trim();
  const name = nameBox.value.trim();
  if (!text) {
    showStatus("Please write your question first.", false);
    textBox.focus();
    return;
  }
  const send = $("#ask-send");
  send.disabled = true;
  try {
    await api.ask(text, name || undefined);
    try {
      localStorage.setItem(NAME_KEY, name);
    } catch {
      /* not remembered; fine */
    }
    textBox.value = "";
    updateCounter();
    showStatus("Sent, a moderator will review it.", true);
  } catch (err) {
    showStatus(err.detail || String(err), false);
  } finally {
    send.disabled = false;
  }
});

function showStatus(message, ok) {
  setText(status, message);
  status.classList.toggle("form-status--ok", ok);
  status.classList.toggle("form-status--error", !ok);
}

store.subscribe(render);
render();
