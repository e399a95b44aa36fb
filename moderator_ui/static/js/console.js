// Online moderator's console: triage every channel's questions, order the queue, push
// one to the stage. Keyboard first (see the ? overlay), mouse and drag-and-drop too.
// The page never changes state locally: it calls the API and redraws from live events.

import { enableQueueDrag } from "./console-dnd.js";
import { renderItem } from "./console-item.js";
import { mountConnectors } from "./connectors-panel.js";
import { $, $$, age, channelLabel, el, renderKeyed, safeLink, setChildren, setText, showQr } from "./dom.js";
import { boot, titleFrom } from "./page.js";
import { attempt, toast } from "./toast.js";
import { mountConsoleTimer } from "./timer-console.js";
import { mountConsolePolls } from "./polls-console.js";
import { mountZoomPanel } from "./zoom-panel.js";

const { slug, store, live, api } = boot();
mountConsoleTimer($("#timer-panel"), { store, live, slug });
mountConnectors({ slug, store, live });
mountZoomPanel({ slug, store, live });
mountConsolePolls($("#polls-panel"), { store, slug });

const TABS = ["inbox", "queued", "on_stage", "answered", "dismissed"];
const NEW_HIGHLIGHT_MS = 4000; // how long a fresh inbox item stays highlighted once seen

const ui = {
  tab: "inbox",
  channel: "",
  selectedId: null,
  selectedIndex: 0,
  editingId: null,
  draft: "",
  mergingId: null,
  showOriginal: new Set(),
  seen: new Set(), // inbox ids the moderator has had on screen
  fresh: new Set(), // seen, but still highlighted for a moment
};

const list = $("#list");

// ---------------------------------------------------------------- rendering

function visible(state) {
  const items = store.byState(state);
  return ui.channel ? items.filter((q) => q.channel === ui.channel) : items;
}

function render() {
  titleFrom(store, "Console");
  setText($("#session-title"), store.session ? store.session.title : "");
  renderJoin();
  renderLiveNow();
  renderChannels();
  renderTabs();
  renderList();
}

function renderJoin() {
  const url = store.session && store.session.audience_url;
  const target = $("#audience-url");
  if (target.dataset.url === (url || "")) return;
  target.dataset.url = url || "";
  setChildren(target, safeLink(url, url, { class: "join-link" }) || url || "");
}

function renderLiveNow() {
  const q = store.stageQuestion;
  const box = $("#live-now-text");
  box.classList.toggle("muted", !q);
  setText(box, q ? q.text : "Nothing on stage");
}

function renderChannels() {
  const select = $("#channel-filter");
  const channels = new Set([...store.questions.values()].map((q) => q.channel).filter(Boolean));
  if (ui.channel) channels.add(ui.channel);
  const wanted = [...channels].sort();
  const have = $$("option", select).slice(1).map((o) => o.value);
  if (wanted.join("\n") === have.join("\n")) return;
  setChildren(
    select,
    el("option", { value: "" }, "All channels"),
    wanted.map((c) => el("option", { value: c }, channelLabel(c))),
  );
  select.value = ui.channel;
}

function renderTabs() {
  for (const tab of TABS) {
    const button = $(`#tab-${tab}`);
    const active = tab === ui.tab;
    button.setAttribute("aria-selected", String(active));
    button.tabIndex = active ? 0 : -1;
    button.classList.toggle("tab--active", active);
    setText($(`[data-count="${tab}"]`, button), visible(tab).length);
  }
  list.setAttribute("aria-labelledby", `tab-${ui.tab}`);
  const unseen = visible("inbox").filter((q) => !ui.seen.has(q.id)).length;
  const badge = $("#new-badge");
  badge.hidden = unseen === 0;
  setText(badge, `${unseen} new`);
}

function renderList() {
  const items = visible(ui.tab);
  markSeen(items);
  // Keep the selection on the same item, or on the one that took its place.
  let index = items.findIndex((q) => q.id === ui.selectedId);
  if (index === -1) index = Math.min(ui.selectedIndex, items.length - 1);
  ui.selectedId = index >= 0 ? items[index].id : null;
  ui.selectedIndex = Math.max(0, index);

  const view = {
    ...ui,
    now: live.serverNow(),
    mergeTargets: ui.mergingId === null ? [] : mergeTargets(),
    onDraft: (text) => {
      ui.draft = text;
    },
    onEditorKey,
  };
  renderKeyed(list, items, { id: (q) => q.id, sig: itemKey, render: (q) => renderItem(q, view) });
  $("#empty").hidden = items.length > 0;

  const editor = ui.editingId !== null && $(`li[data-id="${ui.editingId}"] textarea`, list);
  if (editor && document.activeElement !== editor) {
    editor.focus();
    editor.setSelectionRange(editor.value.length, editor.value.length);
  }
}

function itemKey(q) {
  return [
    ui.tab,
    q.id === ui.selectedId,
    q.id === ui.editingId,
    q.id === ui.mergingId,
    ui.showOriginal.has(q.id),
    ui.fresh.has(q.id),
    ui.mergingId === null ? "" : store.questions.size, // merge targets list
  ].join("|");
}

// Where a question can be merged into (the server refuses merged/dismissed targets).
function mergeTargets() {
  return [...store.questions.values()]
    .filter((t) => ["inbox", "queued", "on_stage", "answered"].includes(t.state))
    .sort((a, b) => a.id - b.id);
}

function markSeen(items) {
  if (ui.tab !== "inbox" || document.visibilityState === "hidden") return;
  const newlySeen = items.filter((q) => !ui.seen.has(q.id));
  if (!newlySeen.length) return;
  for (const q of newlySeen) {
    ui.seen.add(q.id);
    ui.fresh.add(q.id);
  }
  setTimeout(() => {
    for (const q of newlySeen) ui.fresh.delete(q.id);
    render();
  }, NEW_HIGHLIGHT_MS);
  renderTabs();
}

// ---------------------------------------------------------------- actions

const SERVER_ACTIONS = new Set(["approve", "dismiss", "restore", "push", "answer", "back"]);

function run(action, id) {
  const q = store.get(id);
  if (!q) return;
  if (SERVER_ACTIONS.has(action)) {
    attempt(() => api.action(id, action));
  } else if (action === "edit") {
    ui.editingId = id;
    ui.draft = q.text;
    ui.mergingId = null;
    render();
  } else if (action === "merge") {
    ui.mergingId = ui.mergingId === id ? null : id;
    render();
    if (ui.mergingId !== null) {
      const select = $(`li[data-id="${id}"] .merge-target`, list);
      if (select) select.focus();
    }
  } else if (action === "merge-confirm") {
    const select = $(`li[data-id="${id}"] .merge-target`, list);
    const into = select && Number(select.value);
    if (!into) return;
    attempt(async () => {
      await api.merge(id, into);
      ui.mergingId = null;
      render();
    });
  } else if (action === "merge-cancel") {
    ui.mergingId = null;
    render();
  } else if (action === "original") {
    if (ui.showOriginal.has(id)) ui.showOriginal.delete(id);
    else ui.showOriginal.add(id);
    render();
  } else if (action === "up" || action === "down") {
    move(id, action === "up" ? -1 : 1);
  }
}

function move(id, delta) {
  const queue = store.queue;
  const index = queue.findIndex((q) => q.id === id);
  if (index === -1) return;
  const target = index + delta;
  if (target < 0 || target >= queue.length) return;
  attempt(() => api.move(id, target + 1));
}

function saveEdit() {
  const id = ui.editingId;
  const q = store.get(id);
  const text = ui.draft.trim();
  if (!q || text === q.text) {
    cancelEdit();
    return;
  }
  attempt(async () => {
    await api.edit(id, text);
    if (ui.editingId === id) cancelEdit();
  });
}

function cancelEdit() {
  ui.editingId = null;
  ui.draft = "";
  render();
}

function onEditorKey(ev) {
  if (ev.key === "Enter" && !ev.shiftKey && !ev.isComposing) {
    ev.preventDefault();
    saveEdit();
  } else if (ev.key === "Escape") {
    ev.preventDefault();
    cancelEdit();
  }
}

function select(id) {
  ui.selectedId = id;
  const items = visible(ui.tab);
  ui.selectedIndex = Math.max(0, items.findIndex((q) => q.id === id));
  render();
  const li = $(`li[data-id="${id}"]`, list);
  if (li) li.scrollIntoView({ block: "nearest" });
}

function step(delta) {
  const items = visible(ui.tab);
  if (!items.length) return;
  let index = items.findIndex((q) => q.id === ui.selectedId);
  index = index === -1 ? 0 : Math.min(items.length - 1, Math.max(0, index + delta));
  select(items[index].id);
}

function switchTab(tab) {
  if (!TABS.includes(tab)) return;
  ui.tab = tab;
  ui.selectedId = null;
  ui.selectedIndex = 0;
  ui.editingId = null;
  ui.mergingId = null;
  render();
}

function toggleHelp(force) {
  const help = $("#help");
  const open = force ?? help.hidden;
  help.hidden = !open;
  $("#help-toggle").setAttribute("aria-expanded", String(open));
  if (open) $("#help-close").focus();
  else $("#help-toggle").focus();
}

// ---------------------------------------------------------------- events

list.addEventListener("click", (ev) => {
  const li = ev.target.closest("li[data-id]");
  if (!li) return;
  const id = Number(li.dataset.id);
  const button = ev.target.closest("button[data-action]");
  if (button) {
    ui.selectedId = id;
    run(button.dataset.action, id);
  } else if (!ev.target.closest("textarea, select, a")) {
    select(id);
  }
});

enableQueueDrag(list, {
  active: () => ui.tab === "queued",
  order: () => store.queue.map((q) => q.id),
  move: (id, position) => attempt(() => api.move(id, position)),
});

$("#tabs").addEventListener("click", (ev) => {
  const tab = ev.target.closest("[data-tab]");
  if (tab) switchTab(tab.dataset.tab);
});

$("#channel-filter").addEventListener("change", (ev) => {
  ui.channel = ev.target.value;
  render();
});

$("#stage-next").addEventListener("click", () => attempt(() => api.stageNext()));
$("#help-toggle").addEventListener("click", () => toggleHelp());
$("#help-close").addEventListener("click", () => toggleHelp(false));
$("#help").addEventListener("click", (ev) => {
  if (ev.target === ev.currentTarget) toggleHelp(false); // a click on the backdrop
});
$("#copy-url").addEventListener("click", () =>
  attempt(async () => {
    const url = store.session && store.session.audience_url;
    if (!url) throw new Error("The audience link is not known yet.");
    if (!navigator.clipboard) throw new Error("Copying needs HTTPS; select the link instead.");
    await navigator.clipboard.writeText(url);
    toast("Audience link copied.", "info");
  }),
);

const KEYS = {
  j: () => step(1),
  k: () => step(-1),
  a: () => runSelected("approve"),
  d: () => runSelected("dismiss"),
  r: () => runSelected("restore"),
  p: () => runSelected("push"),
  b: () => runSelected("back"),
  x: () => runSelected("answer"),
  e: () => runSelected("edit"),
  m: () => runSelected("merge"),
  n: () => attempt(() => api.stageNext()),
  1: () => switchTab("inbox"),
  2: () => switchTab("queued"),
  3: () => switchTab("on_stage"),
  4: () => switchTab("answered"),
  5: () => switchTab("dismissed"),
};

function runSelected(action) {
  if (ui.selectedId === null) {
    step(0);
    if (ui.selectedId === null) return;
  }
  run(action, ui.selectedId);
}

document.addEventListener("keydown", (ev) => {
  if (ev.ctrlKey || ev.metaKey || ev.defaultPrevented) return;
  const help = $("#help");
  if (!help.hidden) {
    if (ev.key === "Escape" || ev.key === "?") {
      ev.preventDefault();
      toggleHelp(false);
    } else if (ev.key === "Tab") {
      ev.preventDefault(); // modal: focus stays on its only control
      $("#help-close").focus();
    }
    return;
  }
  const typing = ev.target.closest && ev.target.closest("input, textarea, select, [contenteditable]");
  if (typing) {
    if (ev.key === "Escape" && ui.mergingId !== null) run("merge-cancel", ui.mergingId);
    return;
  }
  if (ev.altKey) {
    if ((ev.key === "ArrowUp" || ev.key === "ArrowDown") && ui.selectedId !== null) {
      ev.preventDefault();
      const q = store.get(ui.selectedId);
      if (q && q.state === "queued") move(q.id, ev.key === "ArrowUp" ? -1 : 1);
    }
    return;
  }
  if (ev.key === "?") {
    ev.preventDefault();
    toggleHelp(true);
    return;
  }
  if (ev.key === "Escape" && ui.mergingId !== null) {
    run("merge-cancel", ui.mergingId);
    return;
  }
  const handler = KEYS[ev.key];
  if (handler) {
    ev.preventDefault();
    handler();
  }
});

// Ages tick without redrawing the list.
setInterval(() => {
  const now = live.serverNow();
  for (const span of $$(".q-age", list)) setText(span, age(span.dataset.created, now));
}, 15_000);

document.addEventListener("visibilitychange", render);

showQr($("#qr"), slug);
store.subscribe(render);
render();
