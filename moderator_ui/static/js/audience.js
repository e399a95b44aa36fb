// Audience page (phone, no login): vote in the live poll, ask a question, follow what
// became of your own, upvote the visible ones, see what is on stage. The server gives this
// view no inbox, no dismissed items and no authors.

import { $, $$, sourceLabel, el, renderKeyed, setText } from "./dom.js";
import { mountMyQuestions } from "./audience-mine.js";
import { formatNumber, mountLanguageMenu, t, tn } from "./i18n.js";
import { boot, titleFrom } from "./page.js";
import { mountAudiencePolls } from "./polls-audience.js";
import { mountAudienceFloor } from "./floor-audience.js";
import { attempt } from "./toast.js";

const { slug, store, api } = boot();
mountLanguageMenu($("#lang"));
mountAudiencePolls($("#aud-polls-section"), {
  store,
  slug,
  closedBox: $("#aud-polls-closed-box"),
  closedList: $("#aud-polls-closed"),
  closedSummary: $("#aud-polls-closed-summary"),
});
mountAudienceFloor($("#aud-floor"), { store, slug });
const myQuestions = mountMyQuestions({ section: $("#aud-mine-section"), list: $("#aud-mine"), store, slug });
const MAX = 2000;
const VOTED_KEY = `fb_voted:${slug}`;
const NAME_KEY = "fb_name";
const ROOM_KEY = "fb_in_room";
const SORT_KEY = "fb_sort";
const SORTS = {
  // Most upvoted first; ties in the moderator's order.
  popular: (a, b) => (b.votes ?? 0) - (a.votes ?? 0) || (a.position ?? 1e9) - (b.position ?? 1e9) || a.id - b.id,
  // Newest first.
  recent: (a, b) => (Date.parse(b.created_at) || 0) - (Date.parse(a.created_at) || 0) || b.id - a.id,
};

function loadSort() {
  try {
    const value = localStorage.getItem(SORT_KEY);
    return value in SORTS ? value : "popular";
  } catch {
    return "popular";
  }
}

let sort = loadSort();

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
      el("p", { class: "aq-text", dir: "auto" }, q.text),
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
        "aria-label": t(done ? "aud.upvoted" : "aud.upvote", { votes: tn("poll.votes", votes) }),
      },
      el("span", { class: "vote-arrow", "aria-hidden": "true" }, "▲"),
      el("span", { class: "vote-count" }, formatNumber(votes)),
    ),
  );
}

// Rebuild a card only when its question or its vote button state changed.
const KEYED = {
  id: (q) => q.id,
  sig: (q) => `${voted.has(q.id)}|${voting.has(q.id)}|${q.votes ?? 0}`,
  render: card,
};

function render() {
  titleFrom(store, t("aud.title"));
  setText($("#session-title"), store.session ? store.session.title : t("aud.title"));
  showCaptions(store.session && store.session.captions_url);

  const stage = store.stageQuestion;
  $("#aud-now").hidden = !stage;
  renderKeyed($("#aud-stage"), stage ? [stage] : [], KEYED);

  // Open questions, sorted as this phone chose (popular or recent).
  const open = [...store.queue].sort(SORTS[sort]);
  renderKeyed($("#aud-list"), open, KEYED);
  for (const button of $$("button[data-sort]")) {
    button.setAttribute("aria-pressed", String(button.dataset.sort === sort));
  }
  $("#aud-empty").hidden = open.length > 0 || Boolean(stage);

  const answered = store.byState("answered");
  $("#aud-answered-section").hidden = answered.length === 0;
  renderKeyed($("#aud-answered"), answered, KEYED);
}

/** The session's live captions, when the organiser set a link (an http(s) address). */
function showCaptions(url) {
  const box = $("#captions");
  const ok = typeof url === "string" && /^https?:\/\//.test(url);
  box.hidden = !ok;
  if (ok) $("#captions-link").href = url;
}

// ---------------------------------------------------------------------- sorting

document.addEventListener("click", (ev) => {
  const button = ev.target.closest("button[data-sort]");
  if (!button || !(button.dataset.sort in SORTS)) return;
  sort = button.dataset.sort;
  try {
    localStorage.setItem(SORT_KEY, sort);
  } catch {
    /* not remembered after a reload; fine */
  }
  render();
});

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
const roomBox = $("#ask-in-room");
const counter = $("#ask-count");
const status = $("#ask-status");

try {
  nameBox.value = localStorage.getItem(NAME_KEY) || "";
  roomBox.checked = localStorage.getItem(ROOM_KEY) === "1";
} catch {
  /* no storage: the name field starts empty */
}

function updateCounter() {
  const n = textBox.value.length;
  setText(counter, t("aud.counter", { n, max: MAX }));
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
    showStatus(t("aud.write_first"), false);
    textBox.focus();
    return;
  }
  const send = $("#ask-send");
  send.disabled = true;
  try {
    const asked = await api.ask(text, name || undefined, roomBox.checked);
    if (asked && asked.id) myQuestions.added(asked.id, text);
    try {
      localStorage.setItem(NAME_KEY, name);
      localStorage.setItem(ROOM_KEY, roomBox.checked ? "1" : "0");
    } catch {
      /* not remembered; fine */
    }
    textBox.value = "";
    updateCounter();
    showStatus(t("aud.sent"), true);
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
