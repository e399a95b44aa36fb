// Poll results for the room screen (the poll the moderator put on it, big) and the stage
// tablet (open and shown polls, compact). Live bars, updated a few times a second at most.

import { el, renderKeyed, setChildren, setText } from "./dom.js";
import { announcer, t } from "./i18n.js";
import { renderResults } from "./polls-bars.js";
import { Polls } from "./polls-model.js";
import { autoFit } from "./fit-text.js";
import { drawCloud } from "./screen-cloud.js";
import { watchJoinCode } from "./poll-access.js";

/**
 * The poll on the room screen (or the stream overlay): bars fitted to the space the screen
 * gives it, or a word cloud laid out in it. `bounds()` gives the fit's {min, max} font px.
 */
export function mountScreenPoll(root, { store, bounds }) {
  if (!root) return null;
  const polls = new Polls(store);
  const question = el("h1", { class: "screen-poll-question", id: "screen-poll-question", dir: "auto" });
  const results = el("div", { class: "poll-results poll-results--screen", id: "screen-poll-results" });
  setChildren(root, question, results);
  let shown = null;
  // A cloud sizes its own words; around it the poll's text keeps one readable size.
  const isCloud = () => Boolean(shown && shown.kind === "wordcloud" && shown.results);
  const fitBounds = () => {
    const b = bounds();
    const px = (b.min + b.max) / 2;
    return isCloud() ? { min: px, max: px } : b;
  };
  const refit = autoFit(root, root, fitBounds);
  const cloudEl = el("div", { class: "screen-cloud-box", id: "screen-cloud" });
  let cloudBox = null; // cloudEl while a cloud is shown

  let drawn = ""; // what the cloud shows now: a layout costs tens of ms, skip repeats
  function drawWords() {
    if (!cloudBox || !shown || !shown.results) return;
    const words = shown.results.words || [];
    const key = `${shown.id}:${cloudBox.clientWidth}x${cloudBox.clientHeight}:${JSON.stringify(words)}`;
    if (key === drawn && cloudBox.firstChild) return;
    drawn = key;
    drawCloud(cloudBox, words, cloudBounds());
  }
  function cloudBounds() {
    const { min, max } = bounds(); // the rarest word a little above the poll's text
    return { min: Math.max(14, min * 1.2), max: max * 2.6 };
  }

  polls.onChange((p) => {
    const poll = p.onScreen;
    shown = poll;
    root.hidden = !poll;
    // While a poll is on the screen it takes the place of the question (screen.js).
    if (!poll) return;
    question.textContent = poll.question;
    renderResults(results, poll);
    const cloud = poll.kind === "wordcloud" && results.querySelector(".poll-cloud");
    root.classList.toggle("screen-poll--cloud", Boolean(cloud));
    // One box for the cloud, kept across updates: unchanged words keep their layout.
    cloudBox = cloud ? cloudEl : null;
    if (cloud) cloud.replaceWith(cloudEl);
    refit();
    drawWords();
  });
  new ResizeObserver(() => {
    if (cloudBox) drawWords();
  }).observe(root);
  return polls;
}

export function mountStagePolls(root, { store }) {
  if (!root) return null;
  const polls = new Polls(store);
  const list = el("ol", { class: "poll-list poll-list--stage" });
  const label = el("h2", { class: "stage-label", id: "stage-polls-label" }, t("poll.label"));
  const say = announcer();
  const states = new Map(); // poll id -> state last seen, to say "opened" / "closed" once
  let primed = false; // the page's first snapshot is history, not news
  setChildren(root, label, list);
  // The onsite moderator may have to say the join code out loud.
  watchJoinCode(store, (code) => setText(label, code ? t("poll.label_code", { code }) : t("poll.label")));
  const card = (poll) => {
    const results = el("div", { class: "poll-results" });
    renderResults(results, poll);
    const status = poll.state === "open" ? t("poll.open") : t("poll.closed");
    return el(
      "li",
      { class: ["poll-card", `poll-card--${poll.state}`], dataset: { pollId: poll.id } },
      el("h3", { class: "poll-question", dir: "auto" }, poll.question),
      el("p", { class: "poll-meta" }, `${status}${poll.show_screen ? ` · ${t("poll.on_screen")}` : ""}`),
      results,
    );
  };
  polls.onChange((p) => {
    // The open polls and the one on the screen: what the room is looking at.
    const items = p.list().filter((x) => x.state === "open" || x.show_screen);
    root.hidden = items.length === 0;
    for (const poll of p.list()) {
      const before = states.get(poll.id);
      states.set(poll.id, poll.state);
      if (before === poll.state || (before === undefined && !primed)) continue; // not news
      if (poll.state === "open") say(t("poll.say.opened", { question: poll.question }));
      else if (poll.state === "closed" && before === "open") say(t("poll.say.closed", { question: poll.question }));
    }
    primed = primed || document.documentElement.dataset.live === "live";
    renderKeyed(list, items, { id: (x) => x.id, render: card });
  });
  return polls;
}
