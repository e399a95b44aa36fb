// Poll results for the room screen (the poll the moderator put on it, big) and the stage
// tablet (open and shown polls, compact). Live bars, updated a few times a second at most.

import { el, renderKeyed, setChildren } from "./dom.js";
import { renderResults } from "./polls-bars.js";
import { Polls } from "./polls-model.js";

export function mountScreenPoll(root, { store }) {
  if (!root) return null;
  const polls = new Polls(store);
  const question = el("h1", { class: "screen-poll-question", id: "screen-poll-question" });
  const results = el("div", { class: "poll-results poll-results--screen", id: "screen-poll-results", "aria-live": "polite" });
  setChildren(root, question, results);
  polls.onChange((p) => {
    const poll = p.onScreen;
    root.hidden = !poll;
    // While a poll is on the screen it takes the place of the question (see polls.css).
    document.body.classList.toggle("has-poll", Boolean(poll));
    if (!poll) return;
    question.textContent = poll.question;
    renderResults(results, poll);
  });
  return polls;
}

export function mountStagePolls(root, { store }) {
  if (!root) return null;
  const polls = new Polls(store);
  const list = el("ol", { class: "poll-list poll-list--stage" });
  setChildren(root, el("h2", { class: "stage-label" }, "Poll"), list);
  const card = (poll) => {
    const results = el("div", { class: "poll-results" });
    renderResults(results, poll);
    const status = poll.state === "open" ? "voting is open" : "closed";
    return el(
      "li",
      { class: ["poll-card", `poll-card--${poll.state}`], dataset: { pollId: poll.id } },
      el("h3", { class: "poll-question" }, poll.question),
      el("p", { class: "poll-meta" }, `${status}${poll.show_screen ? " · on the screen" : ""}`),
      results,
    );
  };
  polls.onChange((p) => {
    // The open polls and the one on the screen: what the room is looking at.
    const items = p.list().filter((x) => x.state === "open" || x.show_screen);
    root.hidden = items.length === 0;
    renderKeyed(list, items, { id: (x) => x.id, render: card });
  });
  return polls;
}
