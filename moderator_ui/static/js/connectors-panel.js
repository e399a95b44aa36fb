// The console's social channels strip: each connector's health (connected, reconnecting,
// error with its reason, last item, items today) and a pause switch; plus a "cross-post"
// mark on questions that repeat an earlier one from another channel.
// Fed by the snapshot's `connectors` part and `connector.*` events, which the shared store
// ignores, so we wrap its two entry points rather than change them.

import { request } from "./api.js";
import { $, age, channelLabel, el, setChildren, setText } from "./dom.js";
import { attempt } from "./toast.js";
import { t } from "./i18n.js";

const STATES = ["connected", "reconnecting", "error", "paused", "stopped", "webhook"];
const stateLabel = (state) => (STATES.includes(state) ? t(`conn.state.${state}`) : state);

export function mountConnectors({ slug, store, live, root = $("#connectors"), list = $("#list") }) {
  if (!root) return;
  const channels = new Map(); // channel -> {channel, kind, paused, simulated, status}
  const crossposts = new Map(); // question id -> earlier question id
  let owner = null; // {worker, since}: the worker that runs this session's channels
  const base = `/api/sessions/${encodeURIComponent(slug)}/connectors`;

  const applySnapshot = store.applySnapshot.bind(store);
  store.applySnapshot = (data) => {
    const part = data && data.connectors;
    channels.clear();
    crossposts.clear();
    for (const c of (part && part.channels) || []) channels.set(c.channel, c);
    owner = (part && part.owner) || null;
    for (const [id, of] of Object.entries((part && part.crossposts) || {})) crossposts.set(Number(id), of);
    applySnapshot(data);
    render();
  };
  const applyEvent = store.applyEvent.bind(store);
  store.applyEvent = (event) => {
    if (!event.type || !event.type.startsWith("connector.")) return applyEvent(event);
    onEvent(event.type, event.data || {});
    render();
    return true;
  };

  function onEvent(type, data) {
    if (type === "connector.status") {
      for (const s of data.statuses || []) {
        const c = channels.get(s.channel);
        if (c) channels.set(s.channel, { ...c, status: s });
      }
    } else if (type === "connector.configured" && data.connector) {
      const prev = channels.get(data.connector.channel) || {};
      channels.set(data.connector.channel, { ...prev, ...data.connector });
    } else if (type === "connector.removed") {
      channels.delete(data.channel);
    } else if (type === "connector.paused") {
      const c = channels.get(data.channel);
      if (c) channels.set(data.channel, { ...c, paused: data.paused });
    } else if (type === "connector.owner") {
      owner = data.owner || null;
    } else if (type === "connector.crosspost") {
      crossposts.set(data.question_id, data.of);
    }
  }

  function stateOf(c) {
    if (c.kind === "webhook") return "webhook";
    const state = (c.status && c.status.state) || "stopped";
    return c.paused && state !== "error" ? "paused" : state;
  }

  function card(c) {
    const status = c.status || {};
    const state = stateOf(c);
    const now = live.serverNow();
    const facts = [];
    if (c.kind === "webhook") facts.push(t("conn.webhook"));
    else {
      facts.push(t("conn.today", { n: status.items_today || 0 }));
      facts.push(status.last_item_at ? t("conn.last", { age: age(status.last_item_at, now) }) : t("conn.nothing"));
    }
    const button =
      c.kind === "connector"
        ? el(
            "button",
            {
              type: "button",
              class: "btn btn-small conn-toggle",
              dataset: { channel: c.channel },
              "aria-pressed": c.paused ? "true" : "false",
              onclick: () => toggle(c),
            },
            c.paused ? t("tc.resume") : t("tc.pause"),
          )
        : null;
    return el(
      "li",
      { class: ["conn", `conn--${state}`], dataset: { channel: c.channel, state } },
      el("span", { class: "conn-name" }, channelLabel(c.channel), c.simulated ? ` ${t("conn.simulated")}` : ""),
      el("span", { class: "conn-state" }, stateLabel(state)),
      status.reason && state !== "paused" ? el("span", { class: "conn-reason", title: status.reason, dir: "auto" }, status.reason) : null,
      el("span", { class: "conn-facts" }, facts.join(" · ")),
      button,
    );
  }

  // Which worker reads the platforms for this session, and since when (several workers
  // share the work: app/ownership.py). The name is the operator's: set as text.
  function ownerLine(items) {
    if (!owner || !owner.worker || !items.some((c) => c.kind === "connector")) return null;
    const since = new Date(owner.since);
    const time = Number.isNaN(since.getTime())
      ? ""
      : since.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
    return el("p", { class: "conn-owner", dataset: { worker: owner.worker } },
      t("conn.owner", { worker: owner.worker, time }));
  }

  function toggle(c) {
    const action = c.paused ? "resume" : "pause";
    attempt(() => request("POST", `${base}/${encodeURIComponent(c.channel)}/${action}`));
  }

  function render() {
    const items = [...channels.values()].sort((a, b) => a.channel.localeCompare(b.channel));
    root.hidden = items.length === 0;
    setChildren(
      root,
      el("h2", { class: "conn-title" }, t("conn.title")),
      el("ul", { class: "conn-list" }, items.map(card)),
      ownerLine(items),
    );
    markCrossposts();
  }

  // console.js redraws list items on its own; add our mark after each redraw.
  function markCrossposts() {
    if (!list) return;
    for (const li of list.querySelectorAll("li.q[data-id]")) {
      const of = crossposts.get(Number(li.dataset.id));
      const mark = li.querySelector(".q-crosspost");
      if (of === undefined) {
        if (mark) mark.remove();
        continue;
      }
      const text = t("conn.crosspost", { id: String(of) });
      if (mark && mark.textContent === text) continue;
      if (mark) mark.remove();
      const target = li.querySelector(".q-meta") || li;
      const original = store.get(of);
      target.appendChild(
        el(
          "span",
          {
            class: "q-crosspost",
            title: original ? t("conn.same_as", { text: original.text }) : t("conn.same_as_earlier"),
          },
          text,
        ),
      );
    }
  }
  if (list) new MutationObserver(markCrossposts).observe(list, { childList: true });

  // "last item 3 min ago" keeps ticking.
  setInterval(() => {
    if (channels.size) render();
  }, 15_000);
  setText(root, "");
  render();
}
