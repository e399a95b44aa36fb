// "Questions you asked" on the audience page: what became of each question this phone asked.
// The server answers only for the caller's own signed audience id (GET .../my-questions),
// so nobody else's pending item or name ever reaches this page.
//
// Refreshed when a live event touches one of these questions (approved, on stage,
// answered, removed from view) or merges something in; while one is still pending a slow
// poll catches what the audience view never sees (dismissed or merged from the inbox).

import { request } from "./api.js";
import { el, renderKeyed, setText } from "./dom.js";
import { has, t } from "./i18n.js";

const status = (s) => (has(`mine.${s}`) ? t(`mine.${s}`) : s);
const PENDING_POLL_MS = 10_000;

export function mountMyQuestions({ section, list, store, slug }) {
  const url = `/api/sessions/${encodeURIComponent(slug)}/my-questions`;
  let mine = [];
  let ids = new Set();
  let timer = null;
  let inFlight = null;
  let again = false;

  function card(q) {
    const target = q.merged_into ? store.get(q.merged_into) : null;
    return el(
      "li",
      { class: ["mine", `mine--${q.status}`], dataset: { id: q.id, status: q.status } },
      el("p", { class: "mine-text", dir: "auto" }, q.text),
      el(
        "p",
        { class: "mine-status" },
        el("span", { class: "mine-badge" }, target ? t("mine.merged_into") : status(q.status)),
        target ? el("bdi", { class: "mine-into", dir: "auto" }, target.text) : null,
      ),
    );
  }

  function render() {
    section.hidden = mine.length === 0;
    renderKeyed(list, mine, {
      id: (q) => q.id,
      sig: (q) => `${q.status}|${q.text}|${q.merged_into}`,
      render: card,
    });
  }

  function schedule() {
    clearTimeout(timer);
    if (mine.some((q) => q.status === "pending")) timer = setTimeout(refresh, PENDING_POLL_MS);
  }

  /** Fetch the list again (one request at a time; a call meanwhile runs once more after). */
  async function refresh() {
    if (inFlight) {
      again = true;
      return inFlight;
    }
    inFlight = (async () => {
      try {
        const rows = await request("GET", url);
        mine = Array.isArray(rows) ? rows : [];
        ids = new Set(mine.map((q) => q.id));
        render();
      } catch {
        /* offline for a moment: the next event or poll tries again */
      } finally {
        inFlight = null;
        schedule();
        if (again) {
          again = false;
          refresh();
        }
      }
    })();
    return inFlight;
  }

  /** A question was just sent: show it at once as pending, then ask the server. */
  function added(id, text) {
    if (!ids.has(id)) {
      mine = [{ id, text, status: "pending", merged_into: null }, ...mine];
      ids.add(id);
      render();
    }
    refresh();
  }

  store.subscribe((_s, change) => {
    const type = change.type || "";
    if (type === "snapshot") return refresh();
    if (!type.startsWith("question.")) return undefined;
    const data = change.data || {};
    if (data.action === "upvote") return undefined; // a vote changes no one's status
    const id = data.question ? data.question.id : data.id;
    if (ids.has(id) || data.action === "merged_in") return refresh();
    return undefined;
  });
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "visible") refresh();
  });
  setText(list, "");
  refresh();
  return { refresh, added };
}
