// The triage assistant in the console, on top of the cards console.js draws:
// - a mark on a card, "same as #12 (Zoom, FR)", with a button (and the key s on the
//   selected card) that accepts it, which is the ordinary merge (every source kept,
//   Merged tab + u splits it back), and one that rejects it (audited);
// - tags for the card's flags (personal data, abuse), and "comment" for a non-question;
// - filters: language, questions only, flagged (console-triage-filters.js);
// - in the inbox, suggested duplicates grouped under their first question: moved right
//   after it and indented, so one look shows the group and j/k walk it in that order.
// Fed by the snapshot's `triage` part and `triage.updated` events (moderator-only), which
// the shared store ignores, so, as connectors-panel.js does, we wrap its two entry points.
// console.js asks `shape(items, state)` for every list it shows.

import { request } from "./api.js";
import { $, channelLabel, el } from "./dom.js";
import { attempt, toast } from "./toast.js";
import { t } from "./i18n.js";
import { mountTriageFilters } from "./console-triage-filters.js";

const OPEN = ["inbox", "queued"]; // where a suggestion can still be accepted
const GROUPED = "inbox"; // the queue's order is the stage's: never rearranged for a group

export function mountTriage({ slug, store, list = $("#list") }) {
  if (!list) return { shape: (items) => items };
  const results = new Map(); // question id -> {lang, kind, flags, similar: [{id, score, channel, lang}]}
  let features = { enabled: false, reasons: [] };
  let groupOf = new Map(); // inbox question id -> the id of the first question of its group
  let leads = new Set(); // ids of inbox questions with a group under them
  const base = `/api/sessions/${encodeURIComponent(slug)}/questions`;
  const filters = mountTriageFilters({ slug, results, onChange: () => store.notify({ type: "local.triage_filter" }) });

  const applySnapshot = store.applySnapshot.bind(store);
  store.applySnapshot = (data) => {
    results.clear();
    const part = data && data.triage;
    features = (part && part.features) || { enabled: false, reasons: [] };
    for (const r of Object.values((part && part.questions) || {})) results.set(r.id, r);
    filters.setFeatures(features);
    applySnapshot(data);
    mark();
  };
  const applyEvent = store.applyEvent.bind(store);
  store.applyEvent = (event) => {
    if (!event.type || !event.type.startsWith("triage.")) return applyEvent(event);
    for (const r of (event.data && event.data.questions) || []) results.set(r.id, r);
    filters.sync();
    store.notify({ type: event.type, data: event.data }); // the lists redraw: filters, groups
    mark();
    return true;
  };

  // The first suggestion still worth showing: an earlier question one may merge into.
  function suggestion(id) {
    const q = store.get(id);
    const r = results.get(id);
    if (!q || !r || !OPEN.includes(q.state)) return null;
    return (r.similar || []).find((s) => {
      const other = store.get(s.id);
      return other && !["merged", "dismissed"].includes(other.state);
    }) || null;
  }

  /** The list as shown: filtered, and in the inbox grouped under each first question. */
  function shape(items, state) {
    const kept = filters.apply(items);
    if (state !== GROUPED) return kept;
    const shown = new Set(kept.map((q) => q.id));
    const parent = (id) => {
      const s = suggestion(id);
      return s && shown.has(s.id) ? s.id : null;
    };
    // Follow suggestions to the first question of the group that is in this list.
    const roots = new Map();
    const rootOf = (id) => {
      if (roots.has(id)) return roots.get(id);
      const seen = new Set([id]);
      let at = id;
      for (let up = parent(at); up !== null && !seen.has(up); up = parent(at)) {
        seen.add(up);
        at = up;
      }
      roots.set(id, at);
      return at;
    };
    const members = new Map(); // root id -> its grouped questions, oldest first
    for (const q of kept) {
      const root = rootOf(q.id);
      if (root === q.id) continue;
      if (!members.has(root)) members.set(root, []);
      members.get(root).push(q);
    }
    groupOf = new Map();
    leads = new Set(members.keys());
    const out = [];
    for (const q of kept) {
      if (rootOf(q.id) !== q.id) continue;
      out.push(q);
      for (const dup of (members.get(q.id) || []).sort((a, b) => a.id - b.id)) {
        groupOf.set(dup.id, q.id);
        out.push(dup);
      }
    }
    return out;
  }

  function accept(id, s) {
    attempt(async () => {
      await request("POST", `${base}/${encodeURIComponent(id)}/similar/${encodeURIComponent(s.id)}/accept`);
      toast(t("triage.merged", { id: String(id), into: String(s.id) }), "info");
    });
  }

  function reject(id, s) {
    attempt(async () => {
      const view = await request("POST", `${base}/${encodeURIComponent(id)}/similar/${encodeURIComponent(s.id)}/reject`);
      if (view && view.id) results.set(view.id, view);
      store.notify({ type: "local.triage_reject", data: { id } });
      mark();
    });
  }

  function tags(id) {
    const r = results.get(id);
    if (!r) return [];
    const out = [];
    const personal = (r.flags || []).filter((f) => f.startsWith("personal:"));
    if (personal.length) {
      const what = personal.map((f) => t(`triage.flag.${f.slice("personal:".length)}`)).join(", ");
      out.push(["q-flag q-flag--personal", t("triage.flag.personal"), t("triage.flag.personal_title", { what })]);
    }
    if ((r.flags || []).includes("abuse")) out.push(["q-flag q-flag--abuse", t("triage.flag.abuse"), t("triage.flag.abuse_title")]);
    if (r.kind === "comment") out.push(["q-kind", t("triage.comment"), ""]);
    return out;
  }

  function markTags(li, id) {
    const wanted = tags(id);
    const sig = JSON.stringify(wanted);
    const old = li.querySelector(".q-tags");
    if (old && old.dataset.sig === sig) return;
    if (old) old.remove();
    if (!wanted.length) return;
    const metaLine = li.querySelector(".q-meta");
    if (!metaLine) return;
    metaLine.appendChild(
      el(
        "span",
        { class: "q-tags", dataset: { sig } },
        wanted.map(([cls, label, title]) => el("span", { class: ["tag", cls], title: title || false }, label)),
      ),
    );
  }

  function markGroup(li, id) {
    const root = groupOf.get(id);
    li.classList.toggle("q--dup", root !== undefined);
    if (root !== undefined) li.dataset.groupOf = String(root);
    else delete li.dataset.groupOf;
    li.classList.toggle("q--group-lead", leads.has(id));
  }

  // console.js redraws list items on its own; add our marks after each redraw.
  function mark() {
    for (const li of list.querySelectorAll("li.q[data-id]")) {
      const id = Number(li.dataset.id);
      markTags(li, id);
      markGroup(li, id);
      const s = suggestion(id);
      const old = li.querySelector(".q-triage");
      const text = s
        ? t("triage.same_as", { id: String(s.id), channel: channelLabel(s.channel), lang: (s.lang || "?").toUpperCase() })
        : "";
      if (old && old.dataset.text === text) continue;
      if (old) old.remove();
      if (!s) continue;
      const other = store.get(s.id);
      const box = el(
        "p",
        { class: "q-triage", dataset: { text, into: String(s.id) } },
        el("span", { class: "q-triage-text", title: other ? t("triage.score", { score: s.score.toFixed(2), text: other.text }) : "" }, text),
        " ",
        el("button", { type: "button", class: "btn btn-small btn-triage-accept", title: t("triage.accept_key"), onclick: () => accept(id, s) }, t("triage.accept")),
        " ",
        el("button", { type: "button", class: "btn btn-small btn-triage-reject", onclick: () => reject(id, s) }, t("triage.reject")),
      );
      const main = li.querySelector(".q-main") || li;
      main.appendChild(box);
    }
  }
  new MutationObserver(mark).observe(list, { childList: true });
  store.subscribe(() => queueMicrotask(mark)); // after console.js's redraw of the same change

  // s: accept the selected card's suggestion (one key, as the other actions).
  document.addEventListener("keydown", (ev) => {
    if (ev.key !== "s" || ev.ctrlKey || ev.metaKey || ev.altKey || ev.defaultPrevented) return;
    if (ev.target.closest && ev.target.closest("input, textarea, select, [contenteditable]")) return;
    const help = $("#help");
    if (help && !help.hidden) return;
    const li = list.querySelector('li.q[aria-current="true"]');
    const s = li && suggestion(Number(li.dataset.id));
    if (!s) return;
    ev.preventDefault();
    accept(Number(li.dataset.id), s);
  });

  return { shape };
}
