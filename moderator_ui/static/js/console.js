// Online moderator's console: triage every channel's questions, order the queue, push
// one to the stage. Keyboard first (see the ? overlay), mouse and drag-and-drop too.
// The page never changes state locally: it calls the API and redraws from live events.

import { mountLanguageMenu, t, tn } from "./i18n.js";
import { request } from "./api.js";
import { enableQueueDrag } from "./console-dnd.js";
import { fillMergeOptions, renderItem } from "./console-item.js";
import { confirmToast, makeUndo, short } from "./console-undo.js";
import { makeReasonMenu } from "./console-reasons.js";
import { mountConnectors } from "./connectors-panel.js";
import { mountTriage } from "./console-triage.js";
import { $, $$, age, channelLabel, el, renderKeyed, safeLink, setChildren, setText, showQr } from "./dom.js";
import { boot, titleFrom } from "./page.js";
import { attempt, toast } from "./toast.js";
import { mountConsoleTimer } from "./timer-console.js";
import { mountConsolePolls } from "./polls-console.js";
import { mountZoomPanel } from "./zoom-panel.js";
import { mountConsoleFloor } from "./floor-console.js";

const { slug, store, live, api } = boot();
mountLanguageMenu($("#lang"));
mountConsoleTimer($("#timer-panel"), { store, live, slug });
mountConnectors({ slug, store, live });
const triage = mountTriage({ slug, store });
mountZoomPanel({ slug, store, live });
mountConsoleFloor($("#floor-panel"), { store, live, slug });
mountConsolePolls($("#polls-panel"), { store, slug });

const TABS = ["inbox", "queued", "on_stage", "answered", "dismissed", "merged"];
const NEW_HIGHLIGHT_MS = 4000; // how long a fresh inbox item stays highlighted once seen
const ORDER_KEY = "floorbridge.console.inboxOrder";
const MERGE_SHOWN = 40; // merge candidates listed at once (type to narrow)
const OWN_EVENT_MS = 3000; // an event this long after our own call is ours, not the stage's

const ui = {
  tab: "inbox",
  channel: "",
  query: "",
  order: readOrder(),
  selectedId: null,
  selectedIndex: 0,
  editingId: null,
  draft: "",
  mergingId: null,
  merge: { query: "", into: null }, // the picker's state: by question id, never by place
  checked: new Set(), // ticked for a bulk action
  anchorId: null, // last ticked box, for Shift+click ranges
  showOriginal: new Set(),
  seen: new Set(), // inbox ids the moderator has had on screen
  fresh: new Set(), // seen, but still highlighted for a moment
};

const list = $("#list");
const base = `/api/sessions/${encodeURIComponent(slug)}/questions`;
const act = (id, action, body) => request("POST", `${base}/${encodeURIComponent(id)}/actions/${action}`, body);
const unmergeCall = (id) => request("POST", `${base}/${encodeURIComponent(id)}/unmerge`);
const own = new Map(); // question id -> until when its events are our own doing
const undo = makeUndo({ afterUndo: () => focusList() });
// Why a question is dismissed (optional): Shift+d or the ▾ beside Dismiss.
const reasons = makeReasonMenu({
  onChoose: (reason, target) => (target.bulk ? bulk("dismiss", reason) : dismissWith(target.id, reason)),
  onClose: () => focusList(),
});
const DISMISSABLE = ["inbox", "queued"];

function readOrder() {
  try {
    return localStorage.getItem(ORDER_KEY) === "newest" ? "newest" : "oldest";
  } catch {
    return "oldest"; // storage blocked: the default, not an error
  }
}

// ---------------------------------------------------------------- rendering

function fold(text) {
  return (text || "").toLocaleLowerCase().normalize("NFD").replace(/[\u0300-\u036f]/g, "");
}

function matches(q, words) {
  const hay = fold(`${q.text} ${q.author || ""}`);
  return words.every((w) => hay.includes(w));
}

function visible(state) {
  let items = store.byState(state);
  if (state === "inbox" && ui.order === "newest") items.reverse();
  if (ui.channel) items = items.filter((q) => q.channel === ui.channel);
  const words = fold(ui.query).split(/\s+/).filter(Boolean);
  // The assistant's filters, and its grouping of suggested duplicates (console-triage.js).
  return triage.shape(words.length ? items.filter((q) => matches(q, words)) : items, state);
}

function render() {
  titleFrom(store, t("console.title"));
  const title = $("#session-title");
  setText(title, store.session ? store.session.title : "");
  title.title = title.textContent; // the header cuts it to one line: the whole on hover
  renderJoin();
  renderLiveNow();
  renderChannels();
  renderTabs();
  renderList();
  renderBulk();
  renderMergeOptions();
  renderReasons();
}

// The reason menu follows its ▾ through redraws; it closes when what it was for went away
// (dismissed by someone else, the ticks cleared).
function renderReasons() {
  const target = reasons.target;
  if (!target) return;
  const q = target.bulk ? null : store.get(target.id);
  const gone = target.bulk
    ? !checkedVisible().some((id) => DISMISSABLE.includes(store.get(id)?.state))
    : !q || !DISMISSABLE.includes(q.state) || !visible(ui.tab).includes(q);
  if (gone) reasons.close();
  else reasons.place();
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
  setText(box, q ? q.text : t("stage.nothing"));
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
    el("option", { value: "" }, t("console.all_channels")),
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
  $("#list-panel").setAttribute("aria-labelledby", `tab-${ui.tab}`);
  const unseen = visible("inbox").filter((q) => !ui.seen.has(q.id)).length;
  const badge = $("#new-badge");
  badge.hidden = unseen === 0;
  setText(badge, tn("console.new", unseen));
}

function renderList() {
  const items = visible(ui.tab);
  markSeen(items);
  // Keep the selection on the same item, or on the one that took its place.
  let index = items.findIndex((q) => q.id === ui.selectedId);
  if (index === -1) index = Math.min(ui.selectedIndex, items.length - 1);
  ui.selectedId = index >= 0 ? items[index].id : null;
  ui.selectedIndex = Math.max(0, index);

  const mergeFocused = document.activeElement && document.activeElement.classList.contains("merge-search");
  const view = {
    ...ui,
    reasonFor: reasons.target && !reasons.target.bulk ? reasons.target.id : null,
    now: live.serverNow(),
    onDraft: (text) => {
      ui.draft = text;
    },
    onEditorKey,
    onMergeQuery,
    onMergeKey,
  };
  renderKeyed(list, items, { id: (q) => q.id, sig: itemKey, render: (q) => renderItem(q, view) });
  $("#empty").hidden = items.length > 0;

  const editor = ui.editingId !== null && $(`li[data-id="${ui.editingId}"] textarea`, list);
  if (editor && document.activeElement !== editor) {
    editor.focus();
    editor.setSelectionRange(editor.value.length, editor.value.length);
  }
  // The merging item was redrawn (its votes changed, say): the caret stays in the picker.
  const picker = mergeInput();
  if (picker && mergeFocused && document.activeElement !== picker) {
    picker.focus();
    picker.setSelectionRange(picker.value.length, picker.value.length);
  }
}

function mergeInput() {
  return ui.mergingId === null ? null : $(`li[data-id="${ui.mergingId}"] .merge-search`, list);
}

function renderBulk() {
  const ids = checkedVisible();
  $("#bulk").hidden = ids.length === 0;
  setText($("#bulk-count"), tn("console.selected", ids.length));
  const all = $("#bulk-all");
  const shown = visible(ui.tab).length;
  all.checked = ids.length > 0 && ids.length === shown;
  all.indeterminate = ids.length > 0 && ids.length < shown;
  const states = new Set(ids.map((id) => store.get(id)?.state));
  $("#bulk-approve").disabled = !states.has("inbox");
  $("#bulk-dismiss").disabled = !states.has("inbox") && !states.has("queued");
  $("#bulk-dismiss-reason").disabled = $("#bulk-dismiss").disabled;
}

function checkedVisible() {
  return visible(ui.tab)
    .filter((q) => ui.checked.has(q.id))
    .map((q) => q.id);
}

// What an item's drawing depends on besides the question itself. Never a count or a place
// in the list: a live update must not rebuild the merge picker and lose the choice.
function itemKey(q) {
  return [
    ui.tab,
    q.id === ui.selectedId,
    q.id === ui.editingId,
    q.id === ui.mergingId,
    ui.checked.has(q.id),
    ui.showOriginal.has(q.id),
    ui.fresh.has(q.id),
  ].join("|");
}

// Where a question can be merged into (the server refuses merged/dismissed targets).
function mergeTargets() {
  return [...store.questions.values()]
    .filter((t) => t.id !== ui.mergingId && ["inbox", "queued", "on_stage", "answered"].includes(t.state))
    .sort((a, b) => a.id - b.id);
}

function mergeCandidates() {
  const query = ui.merge.query.trim();
  const byId = /^#?(\d+)$/.exec(query);
  const words = fold(query).split(/\s+/).filter(Boolean);
  const all = mergeTargets();
  const found = byId
    ? all.filter((t) => String(t.id).startsWith(byId[1]) || matches(t, words))
    : all.filter((t) => matches(t, words));
  return found.slice(0, MERGE_SHOWN);
}

let mergeSig = "";
function renderMergeOptions() {
  const input = mergeInput();
  if (!input) {
    mergeSig = "";
    return;
  }
  const picker = input.closest(".q-merge");
  const candidates = mergeCandidates();
  let chosen = ui.merge.into === null ? null : store.get(ui.merge.into);
  if (chosen && !mergeTargets().some((t) => t.id === chosen.id)) {
    ui.merge.into = null; // it was merged or dismissed meanwhile: say so, do not guess
    chosen = null;
  }
  const sig = JSON.stringify([candidates.map((t) => [t.id, t.text, t.state]), chosen && [chosen.id, chosen.text]]);
  if (sig === mergeSig && picker.dataset.filled) return;
  mergeSig = sig;
  picker.dataset.filled = "1";
  fillMergeOptions(picker, candidates, chosen);
  const option = chosen && $(`#merge-option-${chosen.id}`, picker);
  if (option) option.scrollIntoView({ block: "nearest" });
}

function onMergeQuery(text) {
  ui.merge.query = text;
  const candidates = mergeCandidates();
  // Typing narrows the list; the first match is the choice until the moderator picks.
  if (!candidates.some((t) => t.id === ui.merge.into)) ui.merge.into = candidates.length ? candidates[0].id : null;
  renderMergeOptions();
}

function onMergeKey(ev) {
  if (ev.key === "ArrowDown" || ev.key === "ArrowUp") {
    ev.preventDefault();
    const candidates = mergeCandidates();
    if (!candidates.length) return;
    const at = candidates.findIndex((t) => t.id === ui.merge.into);
    const next = ev.key === "ArrowDown" ? Math.min(candidates.length - 1, at + 1) : Math.max(0, at - 1);
    ui.merge.into = candidates[next].id;
    renderMergeOptions();
  } else if (ev.key === "Enter" && !ev.isComposing) {
    ev.preventDefault();
    run("merge-confirm", ui.mergingId);
  } else if (ev.key === "Escape") {
    ev.preventDefault();
    run("merge-cancel", ui.mergingId);
  }
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

const SERVER_ACTIONS = new Set(["approve", "dismiss", "restore", "push", "answer", "back", "reopen", "unapprove"]);
const PAST = (action) => t(`done.${action}`); // "Approved", "Dismissed"...

/** Call the server for `ids`, marking their coming events as our own doing. */
async function mine(ids, fn) {
  for (const id of ids) own.set(id, Infinity);
  try {
    return await fn();
  } finally {
    const until = Date.now() + OWN_EVENT_MS;
    for (const id of ids) own.set(id, until);
  }
}

// The inverse of one action, as server calls (see console-undo.js).
function inverse(action, q, { swapped = null } = {}) {
  const id = q.id;
  const call = (a, body) => () => mine([id], () => act(id, a, body));
  switch (action) {
    case "approve":
      return [call("unapprove")];
    case "dismiss":
      return q.state === "queued" ? [call("restore"), call("approve")] : [call("restore")];
    case "restore":
      return [call("dismiss")];
    case "push":
      return swapped === null
        ? [call("back")]
        : [() => mine([id, swapped], () => act(swapped, "push", { swap: true }))];
    case "back":
      return [call("push", { swap: true })];
    case "answer":
    case "reopen-answer":
      // Back where it was: live again; whatever went live since goes back to the front.
      return [call("reopen"), call("push", { swap: true })];
    case "reopen":
      return [call("push", { swap: true }), call("answer")];
    case "unapprove":
      return [call("approve")];
    default:
      return [];
  }
}

function run(action, id) {
  const q = store.get(id);
  if (!q) return;
  if (action === "push" && store.stageQuestion && store.stageQuestion.id !== id) {
    swapPush(q, store.stageQuestion);
  } else if (SERVER_ACTIONS.has(action)) {
    attempt(async () => {
      await mine([id], () => act(id, action));
      undo.record(t("undo.action", { action: PAST(action), text: short(q.text) }), inverse(action, q));
    });
  } else if (action === "dismiss-reason") {
    toggleReasons(id);
  } else if (action === "unmerge") {
    const into = q.merged_into;
    attempt(async () => {
      await mine([id, into], () => unmergeCall(id));
      undo.record(t("undo.unmerged", { id: String(id), into: String(into) }), into ? [() => mine([id, into], () => api.merge(id, into))] : []);
    });
  } else if (action === "edit") {
    ui.editingId = id;
    ui.draft = q.text;
    ui.mergingId = null;
    render();
  } else if (action === "merge") {
    const open = ui.mergingId !== id;
    ui.mergingId = open ? id : null;
    ui.merge = { query: "", into: null };
    render();
    if (open) {
      const input = mergeInput();
      if (input) input.focus();
    } else focusList();
  } else if (action === "merge-confirm") {
    const into = ui.merge.into;
    if (!into) return;
    const target = store.get(into);
    attempt(async () => {
      await mine([id, into], () => api.merge(id, into));
      if (ui.mergingId === id) closeMerge();
      undo.record(t("undo.merged", { id: String(id), into: String(into), text: short(target ? target.text : "") }), [
        () => mine([id, into], () => unmergeCall(id)),
      ]);
    });
  } else if (action === "merge-cancel") {
    closeMerge();
  } else if (action === "original") {
    if (ui.showOriginal.has(id)) ui.showOriginal.delete(id);
    else ui.showOriginal.add(id);
    render();
  } else if (action === "up" || action === "down") {
    move(id, action === "up" ? -1 : 1);
  }
}

/** Open the reason menu by question `id`'s ▾ (or close it, if it is open there). */
function toggleReasons(id) {
  const q = store.get(id);
  if (!q || !DISMISSABLE.includes(q.state)) return;
  if (reasons.target && reasons.target.id === id) {
    reasons.close();
    return;
  }
  select(id);
  reasons.open(() => $(`li[data-id="${id}"] [data-action="dismiss-reason"]`, list), { id });
}

function dismissWith(id, reason) {
  const q = store.get(id);
  if (!q) return;
  attempt(async () => {
    await mine([id], () => act(id, "dismiss", { reason }));
    const action = t("done.dismiss_reason", { reason: t(`reason.${reason}`) });
    undo.record(t("undo.action", { action, text: short(q.text) }), inverse("dismiss", q));
  });
}

function closeMerge() {
  ui.mergingId = null;
  ui.merge = { query: "", into: null };
  render();
  focusList();
}

// Something is live: ask once, then swap in one server call (the live one goes back first
// in the queue). The confirmation says "on stage" so the moderator knows why it asks.
async function swapPush(q, liveQ) {
  const yes = await confirmToast(
    t("undo.swap_ask", { live: short(liveQ.text), text: short(q.text) }),
    t("undo.swap"),
    { onclose: () => focusList() },
  );
  focusList();
  if (!yes) return;
  attempt(async () => {
    await mine([q.id, liveQ.id], () => act(q.id, "push", { swap: true }));
    undo.record(t("undo.swapped", { text: short(q.text) }), inverse("push", q, { swapped: liveQ.id }));
  });
}

function stageNext() {
  const liveQ = store.stageQuestion;
  const first = store.queue[0];
  attempt(async () => {
    const ids = [liveQ && liveQ.id, first && first.id].filter(Boolean);
    const result = await mine(ids, () => api.stageNext());
    if (!result) return;
    const steps = result.answered
      ? inverse("answer", result.answered)
      : result.on_stage
        ? inverse("push", result.on_stage)
        : [];
    undo.record(t("undo.stage_next"), steps);
  });
}

// Events replayed on a (re)connect are history, not something to undo now: the replay
// comes right after the socket goes live, so answers in that moment get no Undo toast.
const REPLAY_QUIET_MS = 1000;
let quietUntil = Date.now() + REPLAY_QUIET_MS;
new MutationObserver(() => {
  if (document.documentElement.dataset.live === "live") quietUntil = Date.now() + REPLAY_QUIET_MS;
}).observe(document.documentElement, { attributes: true, attributeFilter: ["data-live"] });

// An Answered tapped on the stage tablet (not by us): offer the undo here too.
function onStoreChange(_store, change) {
  if (!change || change.type !== "question.updated" || !change.data) return;
  const { question: q, action } = change.data;
  if (!q || action !== "answer" || Date.now() < quietUntil) return;
  const until = own.get(q.id);
  if (until !== undefined && until >= Date.now()) return;
  undo.record(t("undo.answered_on_stage", { text: short(q.text) }), inverse("answer", q));
}

async function bulk(action, reason = null) {
  const states = action === "approve" ? ["inbox"] : ["inbox", "queued"];
  const targets = checkedVisible()
    .map((id) => store.get(id))
    .filter((q) => q && states.includes(q.state));
  if (!targets.length) return;
  ui.checked.clear();
  ui.anchorId = null;
  const done = [];
  await attempt(async () => {
    for (const q of targets) {
      await mine([q.id], () => act(q.id, action, reason ? { reason } : undefined));
      done.push(q);
    }
  });
  render();
  focusList();
  if (done.length) {
    undo.record(
      tn(`done.bulk.${action}`, done.length),
      done.flatMap((q) => inverse(action, q)),
    );
  }
}

function toggleCheck(id, { range = false, value = null } = {}) {
  const on = value ?? !ui.checked.has(id);
  const items = visible(ui.tab).map((q) => q.id);
  const from = items.indexOf(ui.anchorId);
  const to = items.indexOf(id);
  const ids = range && from !== -1 && to !== -1 ? items.slice(Math.min(from, to), Math.max(from, to) + 1) : [id];
  for (const x of ids) {
    if (on) ui.checked.add(x);
    else ui.checked.delete(x);
  }
  ui.anchorId = id;
  render();
}

/** Back to the list, so single-key shortcuts work again (after a form, a note, Esc). */
function focusList() {
  const active = document.activeElement;
  if (active && active !== document.body && active !== list && active.blur) active.blur();
  list.focus({ preventScroll: true });
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
  focusList();
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
  ui.checked.clear();
  ui.anchorId = null;
  render();
}

function toggleHelp(force) {
  const help = $("#help");
  const open = force ?? help.hidden;
  help.hidden = !open;
  $("#help-toggle").setAttribute("aria-expanded", String(open));
  if (open) $("#help-close").focus();
  else focusList();
}

// ---------------------------------------------------------------- events

list.addEventListener("click", (ev) => {
  const li = ev.target.closest("li[data-id]");
  if (!li) return;
  const id = Number(li.dataset.id);
  const option = ev.target.closest(".merge-option[data-into]");
  if (ev.target.closest(".q-check")) {
    ev.preventDefault(); // the box shows ui.checked, redrawn below
    toggleCheck(id, { range: ev.shiftKey });
    return;
  }
  if (option) {
    ui.merge.into = Number(option.dataset.into);
    renderMergeOptions();
    const input = mergeInput();
    if (input) input.focus();
    return;
  }
  const button = ev.target.closest("button[data-action]");
  if (button) {
    ui.selectedId = id;
    run(button.dataset.action, id);
  } else if (!ev.target.closest("textarea, select, a, input, .q-merge")) {
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

$("#search").addEventListener("input", (ev) => {
  ui.query = ev.target.value;
  render();
});

const orderSelect = $("#order");
orderSelect.value = ui.order;
orderSelect.addEventListener("change", () => {
  ui.order = orderSelect.value === "newest" ? "newest" : "oldest";
  try {
    localStorage.setItem(ORDER_KEY, ui.order);
  } catch {
    // storage blocked: the choice holds until the page is reloaded
  }
  render();
});

$("#bulk-approve").addEventListener("click", () => bulk("approve"));
$("#bulk-dismiss").addEventListener("click", () => bulk("dismiss"));
$("#bulk-dismiss-reason").addEventListener("click", () => {
  if (reasons.target && reasons.target.bulk) reasons.close();
  else reasons.open(() => $("#bulk-dismiss-reason"), { bulk: true });
});
$("#bulk-clear").addEventListener("click", () => {
  ui.checked.clear();
  ui.anchorId = null;
  render();
  focusList();
});
$("#bulk-all").addEventListener("change", (ev) => {
  for (const q of visible(ui.tab)) {
    if (ev.target.checked) ui.checked.add(q.id);
    else ui.checked.delete(q.id);
  }
  render();
});

// A form sent or closed in the side column (a note, a poll, a segment): back to the list.
$(".console-side").addEventListener("submit", () => setTimeout(focusList));

$("#stage-next").addEventListener("click", () => stageNext());
$("#help-toggle").addEventListener("click", () => toggleHelp());
$("#help-close").addEventListener("click", () => toggleHelp(false));
$("#help").addEventListener("click", (ev) => {
  if (ev.target === ev.currentTarget) toggleHelp(false); // a click on the backdrop
});
$("#copy-url").addEventListener("click", () =>
  attempt(async () => {
    const url = store.session && store.session.audience_url;
    if (!url) throw new Error(t("console.copy_unknown"));
    if (!navigator.clipboard) throw new Error(t("console.copy_https"));
    await navigator.clipboard.writeText(url);
    toast(t("console.copied"), "info");
  }),
);

const KEYS = {
  j: () => step(1),
  k: () => step(-1),
  a: () => runSelected("approve"),
  d: () => runSelected("dismiss"),
  D: () => runSelected("dismiss-reason"), // Shift+d: with a reason
  r: () => runSelected("restore"),
  p: () => runSelected("push"),
  b: () => runSelected("back"),
  x: () => runSelected("answer"),
  e: () => runSelected("edit"),
  m: () => runSelected("merge"),
  u: () => runSelected("unmerge"),
  z: () => undo.undo(),
  n: () => stageNext(),
  " ": () => {
    if (ui.selectedId === null) step(0);
    if (ui.selectedId !== null) toggleCheck(ui.selectedId);
  },
  "/": () => $("#search").focus(),
  1: () => switchTab("inbox"),
  2: () => switchTab("queued"),
  3: () => switchTab("on_stage"),
  4: () => switchTab("answered"),
  5: () => switchTab("dismissed"),
  6: () => switchTab("merged"),
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
    // Esc always leaves a text field (the editor and the merge picker close themselves).
    if (ev.key === "Escape") {
      ev.preventDefault();
      if (ui.mergingId !== null && typing.closest(".q-merge")) run("merge-cancel", ui.mergingId);
      else focusList();
    }
    return;
  }
  if (ev.target.closest && ev.target.closest("button, a") && (ev.key === " " || ev.key === "Enter")) {
    return; // a focused button's own Space/Enter
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
store.subscribe(onStoreChange);
render();
