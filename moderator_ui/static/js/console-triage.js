// The triage assistant's mark on a console card: "same as #12 (Zoom, FR)", with a button
// (and the key s on the selected card) that accepts it, which is the ordinary merge (every
// source kept, Merged tab + u splits it back), and one that rejects it (audited).
// Fed by the snapshot's `triage` part and `triage.updated` events (moderator-only), which
// the shared store ignores, so, as connectors-panel.js does, we wrap its two entry points.

import { request } from "./api.js";
import { $, channelLabel, el } from "./dom.js";
import { attempt, toast } from "./toast.js";
import { t } from "./i18n.js";

export function mountTriage({ slug, store, list = $("#list") }) {
  if (!list) return;
  const results = new Map(); // question id -> {lang, kind, flags, similar: [{id, score, channel, lang}]}
  const base = `/api/sessions/${encodeURIComponent(slug)}/questions`;

  const applySnapshot = store.applySnapshot.bind(store);
  store.applySnapshot = (data) => {
    results.clear();
    const part = data && data.triage;
    for (const r of Object.values((part && part.questions) || {})) results.set(r.id, r);
    applySnapshot(data);
    mark();
  };
  const applyEvent = store.applyEvent.bind(store);
  store.applyEvent = (event) => {
    if (!event.type || !event.type.startsWith("triage.")) return applyEvent(event);
    for (const r of (event.data && event.data.questions) || []) results.set(r.id, r);
    mark();
    return true;
  };

  // The first suggestion still worth showing: an earlier question one may merge into.
  function suggestion(id) {
    const q = store.get(id);
    const r = results.get(id);
    if (!q || !r || !["inbox", "queued"].includes(q.state)) return null;
    return (r.similar || []).find((s) => {
      const other = store.get(s.id);
      return other && !["merged", "dismissed"].includes(other.state);
    }) || null;
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
      mark();
    });
  }

  // console.js redraws list items on its own; add our mark after each redraw.
  function mark() {
    for (const li of list.querySelectorAll("li.q[data-id]")) {
      const id = Number(li.dataset.id);
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
}
