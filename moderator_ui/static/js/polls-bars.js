// Poll results as bars (label, count and percentage in text: readable, not colour-only)
// or, for a word cloud, words sized by how often they were given.

import { el, setChildren } from "./dom.js";
import { formatNumber, formatPercent, t, tn } from "./i18n.js";

const KINDS = ["single", "multiple", "rating", "wordcloud", "open"];

export function kindLabel(kind) {
  return KINDS.includes(kind) ? t(`poll.kind.${kind}`) : kind;
}

export function votes(n) {
  return tn("poll.votes", n);
}

function bar(option, total, zoom) {
  const pct = total ? Math.round((option.count / total) * 100) : 0;
  const fill = el("div", { class: "poll-bar-fill" });
  fill.style.width = `${pct}%`; // CSSOM, allowed by the CSP (no inline style attribute)
  const zoomCount = option.channels ? option.channels.zoom_chat || 0 : 0;
  return el(
    "li",
    { class: "poll-option" },
    el(
      "div",
      { class: "poll-option-head" },
      el("span", { class: "poll-option-label", dir: "auto" }, option.label),
      el("span", { class: "poll-option-count" }, `${votes(option.count)} · ${formatPercent(pct)}`),
    ),
    el("div", { class: "poll-bar", role: "presentation" }, fill),
    zoom && zoomCount ? el("p", { class: "poll-option-zoom muted" }, t("poll.of_zoom", { n: zoomCount })) : null,
  );
}

function cloud(words) {
  const top = words.length ? words[0].count : 1;
  return el(
    "ul",
    { class: "poll-cloud", "aria-label": t("poll.words") },
    words.map((w) => {
      const size = Math.max(1, Math.min(5, Math.ceil((w.count / top) * 5)));
      return el("li", { class: ["poll-word", `poll-word--${size}`], title: votes(w.count), dir: "auto" }, `${w.word} (${formatNumber(w.count)})`);
    }),
  );
}

/** Fill `container` with a poll's results (or a note that they are hidden). */
export function renderResults(container, poll, { zoom = false } = {}) {
  const r = poll.results;
  if (!r) {
    setChildren(container, el("p", { class: "muted" }, t("poll.hidden")));
    return;
  }
  const total = r.total || 0;
  const parts = [];
  if (poll.kind === "wordcloud") {
    parts.push(r.words && r.words.length ? cloud(r.words) : el("p", { class: "muted" }, t("poll.no_words")));
  } else if (poll.kind === "open") {
    parts.push(el("p", { class: "poll-open-note" }, t("poll.open_note")));
  } else {
    parts.push(el("ol", { class: "poll-bars" }, r.options.map((o) => bar(o, total, zoom))));
  }
  const turnout = [tn("poll.voters", total)];
  if (r.mean !== undefined) turnout.push(t("poll.average", { mean: r.mean }));
  if (zoom && r.turnout && r.turnout.zoom_chat) turnout.push(t("poll.zoom_turnout", { n: r.turnout.zoom_chat }));
  if (r.final) turnout.push(t("poll.final"));
  parts.push(el("p", { class: "poll-turnout", dataset: { total: String(total) } }, turnout.join(" · ")));
  setChildren(container, ...parts);
}
