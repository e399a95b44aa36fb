// Stage tablet: who has the floor and who is next (name, group, how they join: "civil
// society, remote via Zoom"), the intervention timer (warning and overrun like the segment
// timer, from server timestamps), big "Done" and "Next speaker" buttons (the region shows
// only while the floor is in use), and "Add from the room" in the header, to put a raised
// hand in the room into the same queue by name.

import { el, setChildren, setText } from "./dom.js";
import { announcer, t } from "./i18n.js";
import { attempt } from "./toast.js";
import { formatClock } from "./timer-core.js";
import { GROUPS, floorApi, groupLabel, joinLabel, nameOf, turnNumbers, watchFloor } from "./floor-core.js";

const TICK_MS = 250;

export function mountStageFloor(container, { store, live, slug, addSlot }) {
  const api = floorApi(slug);
  const say = announcer();
  let busy = false;
  let saidSpeaker = null;
  const get = watchFloor(store, draw);

  const speaker = el("p", { id: "floor-speaker", class: "floor-speaker", dir: "auto" });
  const how = el("p", { id: "floor-speaker-how", class: "floor-how", dir: "auto" });
  const clock = el("p", { id: "floor-timer", class: "floor-timer", role: "timer", dataset: { phase: "idle" } });
  const nextLine = el("span", { id: "floor-next", class: "floor-next", dir: "auto" });
  const waiting = el("span", { id: "floor-waiting", class: "floor-waiting" });
  const done = el("button", { id: "floor-done", type: "button", class: "btn-big floor-btn" }, t("floor.done"));
  const next = el("button", { id: "floor-call-next", type: "button", class: "btn-big floor-btn btn-next" }, t("floor.next_speaker"));
  const add = el("button", { id: "floor-add", type: "button", class: "floor-btn floor-add" }, t("floor.add_room"));
  const info = el("div", { class: "floor-now" }, speaker, how,
    el("p", { class: "floor-queue-line" }, nextLine, waiting));
  const buttons = el("div", { class: "floor-buttons" }, done, next);
  container.replaceChildren(info, clock, buttons);
  // Always at hand in the header; the floor's own region shows only while it is in use,
  // so an unused floor costs the live question no room.
  addSlot.replaceChildren(add, dialog());

  async function tap(call) {
    if (busy) return;
    busy = true;
    draw();
    try {
      await attempt(call);
    } finally {
      busy = false;
      draw();
    }
  }

  done.addEventListener("click", () => {
    const s = get() && get().speaking;
    if (s) tap(() => api.act(s.id, "done"));
  });
  next.addEventListener("click", () => tap(() => api.next()));

  function dialog() {
    const name = el("input", { id: "floor-add-name", type: "text", maxlength: 80, required: true, autocomplete: "off" });
    const group = el("select", { id: "floor-add-group" },
      el("option", { value: "" }, t("floor.group.none")),
      GROUPS.map((g) => el("option", { value: g }, groupLabel(g))));
    const cancel = el("button", { type: "button", class: "btn", value: "cancel" }, t("common.cancel"));
    const ok = el("button", { id: "floor-add-ok", type: "submit", class: "btn btn-primary" }, t("floor.add"));
    const form = el("form", { class: "floor-add-form" },
      el("h2", {}, t("floor.add_room")),
      el("label", { for: "floor-add-name" }, t("floor.name")), name,
      el("label", { for: "floor-add-group" }, t("floor.group_label")), group,
      el("div", { class: "floor-add-buttons" }, cancel, ok));
    const box = el("dialog", { id: "floor-add-dialog", class: "floor-dialog" }, form);
    add.addEventListener("click", () => {
      name.value = "";
      group.value = "";
      box.showModal();
      name.focus();
    });
    cancel.addEventListener("click", () => box.close());
    form.addEventListener("submit", async (ev) => {
      ev.preventDefault();
      const answer = await attempt(() => api.add({ name: name.value, group: group.value || null, where: "room" }));
      if (answer) box.close();
    });
    return box;
  }

  function tick() {
    const n = turnNumbers(get(), live.serverNow());
    clock.dataset.phase = n ? n.phase : "idle";
    setText(clock, n ? formatClock(n.remainingMs) : "");
    clock.hidden = !n;
  }

  function draw() {
    const floor = get();
    const s = floor && floor.speaking;
    const queue = (floor && floor.queue) || [];
    setText(speaker, s ? nameOf(s) : t("floor.nobody"));
    setText(how, s ? joinLabel(s) : "");
    if (s && s.id !== saidSpeaker && document.documentElement.dataset.live === "live") {
      say(t("floor.say.speaking", { name: nameOf(s) }));
    }
    saidSpeaker = s ? s.id : null;
    const first = queue[0];
    setText(nextLine, first ? t("floor.next_is", { name: nameOf(first), how: joinLabel(first) }) : "");
    setText(waiting, queue.length ? t("floor.waiting", { n: queue.length }) : t("floor.empty"));
    done.disabled = busy || !s;
    next.disabled = busy || (!s && !queue.length);
    container.classList.toggle("stage-floor--speaking", Boolean(s));
    container.hidden = !s && !queue.length;
    tick();
  }

  setInterval(tick, TICK_MS);
  draw();
}
