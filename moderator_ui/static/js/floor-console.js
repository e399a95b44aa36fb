// Online moderator's console: the floor queue in order, with call / skip / move by
// keyboard (focus a row: Enter calls, S skips, Alt+↑/↓ moves, ↑/↓ walks the list), who
// speaks with their intervention timer, and who must be unmuted in Zoom right now. The
// order policy and the intervention length are set here. Every move is audited server-side.

import { el, setChildren, setText } from "./dom.js";
import { t } from "./i18n.js";
import { attempt } from "./toast.js";
import { formatClock } from "./timer-core.js";
import { floorApi, joinLabel, mustUnmute, nameOf, turnNumbers, watchFloor } from "./floor-core.js";

const POLICIES = ["fcfs", "alternate", "new_first"];
const TICK_MS = 250;

export function mountConsoleFloor(container, { store, live, slug }) {
  const api = floorApi(slug);
  const get = watchFloor(store, draw);
  let busy = false;

  const heading = el("h2", { class: "panel-title" }, t("floor.title"));
  const unmute = el("p", { id: "floor-unmute", class: "floor-unmute", role: "status", hidden: true });
  const speaking = el("div", { id: "floor-speaking", class: "floor-speaking" });
  const list = el("ol", { id: "floor-list", class: "floor-list", "aria-label": t("floor.queue") });
  const empty = el("p", { class: "muted floor-empty" }, t("floor.empty"));
  const next = el("button", { id: "floor-console-next", type: "button", class: "btn btn-primary btn-small" }, t("floor.next_speaker"));
  const policy = el("select", { id: "floor-policy" }, POLICIES.map((p) => el("option", { value: p }, t(`floor.policy.${p}`))));
  const minutes = el("input", { id: "floor-minutes", type: "number", min: 0.5, max: 60, step: 0.5, class: "floor-minutes" });
  const hint = el("p", { class: "muted floor-hint" }, t("floor.keys"));
  const settings = el("div", { class: "floor-settings" },
    el("label", { for: "floor-policy" }, t("floor.policy_label")), policy,
    el("label", { for: "floor-minutes" }, t("floor.minutes")), minutes);
  container.replaceChildren(
    el("div", { class: "floor-head" }, heading, next), unmute, speaking, list, empty, hint, settings);
  container.hidden = false;

  async function run(call) {
    if (busy) return undefined;
    busy = true;
    try {
      return await attempt(call);
    } finally {
      busy = false;
      draw();
    }
  }

  next.addEventListener("click", () => run(() => api.next()));
  policy.addEventListener("change", () => run(() => api.settings({ policy: policy.value })));
  minutes.addEventListener("change", () => {
    const seconds = Math.round(Number(minutes.value) * 60);
    if (seconds > 0) run(() => api.settings({ intervention_seconds: seconds }));
  });

  function focusRow(id) {
    const row = list.querySelector(`li[data-id="${id}"]`);
    if (row) row.focus();
  }

  async function moveBy(item, delta) {
    const queue = get().queue;
    const to = item.position + delta;
    if (to < 1 || to > queue.length) return;
    await run(() => api.move(item.id, to));
    focusRow(item.id);
  }

  function row(item) {
    const button = (label, cls, fn, aria) =>
      el("button", { type: "button", class: ["btn", "btn-small", cls], tabindex: -1, "aria-label": aria || label, onclick: fn }, label);
    const li = el(
      "li",
      { class: "floor-item", tabindex: 0, dataset: { id: item.id } },
      el("span", { class: "floor-pos" }, String(item.position)),
      el("span", { class: "floor-who" },
        el("bdi", { class: "floor-name" }, nameOf(item)),
        el("span", { class: "floor-how" }, joinLabel(item)),
        item.affiliation ? el("bdi", { class: "floor-affiliation" }, item.affiliation) : null),
      el("span", { class: "floor-actions" },
        button(t("floor.call"), "floor-call", () => run(() => api.act(item.id, "call"))),
        button(t("floor.skip"), "floor-skip", () => run(() => api.act(item.id, "skip"))),
        button("↑", "floor-up", () => moveBy(item, -1), t("floor.up")),
        button("↓", "floor-down", () => moveBy(item, 1), t("floor.down"))),
    );
    li.addEventListener("keydown", (ev) => {
      if (ev.target !== li) return;
      let handled = true;
      if (ev.altKey && ev.key === "ArrowUp") moveBy(item, -1);
      else if (ev.altKey && ev.key === "ArrowDown") moveBy(item, 1);
      else if (ev.key === "ArrowDown" && li.nextElementSibling) li.nextElementSibling.focus();
      else if (ev.key === "ArrowUp" && li.previousElementSibling) li.previousElementSibling.focus();
      else if (ev.key === "Enter" || ev.key === "c") run(() => api.act(item.id, "call"));
      else if (ev.key === "s") {
        const after = li.nextElementSibling || li.previousElementSibling;
        const then = after ? after.dataset.id : null;
        run(() => api.act(item.id, "skip")).then(() => then && focusRow(then));
      } else handled = false;
      if (handled) {
        ev.preventDefault(); // the console's own shortcuts leave this key alone
        ev.stopPropagation();
      }
    });
    return li;
  }

  const clock = el("span", { id: "floor-console-timer", class: "floor-timer", dataset: { phase: "idle" } });

  function drawSpeaking(s) {
    if (!s) {
      setChildren(speaking, el("p", { class: "muted" }, t("floor.nobody")));
      return;
    }
    setChildren(speaking,
      el("p", { class: "floor-speaking-line" },
        el("span", { class: "floor-speaking-label" }, t("floor.speaking")), " ",
        el("bdi", { class: "floor-name" }, nameOf(s)), " ", clock),
      el("p", { class: "floor-how" }, [joinLabel(s), s.affiliation].filter(Boolean).join(" · ")),
      el("span", { class: "floor-actions" },
        el("button", { id: "floor-console-done", type: "button", class: "btn btn-small", onclick: () => run(() => api.act(s.id, "done")) }, t("floor.done")),
        el("button", { type: "button", class: "btn btn-small", onclick: () => run(() => api.act(s.id, "back")) }, t("floor.back"))));
  }

  function tick() {
    const n = turnNumbers(get(), live.serverNow());
    clock.dataset.phase = n ? n.phase : "idle";
    setText(clock, n ? formatClock(n.remainingMs) : "");
  }

  function draw() {
    const floor = get();
    if (!floor) return;
    const focused = document.activeElement && document.activeElement.closest && document.activeElement.closest("#floor-list li");
    const focusedId = focused ? focused.dataset.id : null;
    const s = floor.speaking;
    drawSpeaking(s);
    unmute.hidden = !mustUnmute(s);
    if (mustUnmute(s)) setText(unmute, t("floor.unmute", { name: nameOf(s), how: joinLabel(s) }));
    setChildren(list, floor.queue.map(row));
    empty.hidden = floor.queue.length > 0;
    next.disabled = busy || (!s && !floor.queue.length);
    if (document.activeElement !== policy) policy.value = floor.settings.policy;
    if (document.activeElement !== minutes) minutes.value = String(floor.settings.intervention_seconds / 60);
    if (focusedId) focusRow(focusedId);
    tick();
  }

  setInterval(tick, TICK_MS);
  draw();
}
