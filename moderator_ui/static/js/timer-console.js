// Console: run the timer (start, pause/resume, next, restart, ± a minute), see the running
// total ahead of or behind schedule, edit the agenda while it runs, set the timer options,
// and send notes to the stage. Every button calls the API; the page redraws from events.

import { el, setChildren, setText } from "./dom.js";
import { attempt } from "./toast.js";
import { mountConsoleNotes } from "./notes-console.js";
import { scheduleDelta, timerApi, watchTimer } from "./timer-core.js";
import { t as tr, tn } from "./i18n.js";
import { mountTimer } from "./timer-view.js";

/** ms since the epoch -> "YYYY-MM-DDTHH:MM" in local time, for <input type=datetime-local>. */
function localInput(ms) {
  if (ms === null || ms === undefined) return "";
  const d = new Date(ms);
  const pad = (n) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

const KINDS = ["opening", "speaker", "debate", "qa", "break", "closing"];
const kindName = (k) => (KINDS.includes(k) ? tr(`tc.kind.${k}`) : k);

/** "2 min 10 s behind schedule", in the page's language (timer-core.js has the English). */
function describeDelta(seconds) {
  const abs = Math.abs(Math.round(seconds));
  if (abs < 30) return tr("tc.on_schedule");
  const m = Math.floor(abs / 60);
  const s = abs % 60;
  const amount = m ? (s ? tr("tc.min_s", { m, s }) : tr("age.min", { n: m })) : tr("age.s", { n: s });
  return tr(seconds > 0 ? "tc.behind" : "tc.ahead", { amount });
}

export function mountConsoleTimer(container, { store, live, slug }) {
  const api = timerApi(slug);
  const run = (fn) => attempt(fn);
  const display = el("div", { class: "timer-display" });
  const delta = el("p", { class: "tmr-delta", "aria-live": "polite" });
  const button = (name, label, fn) =>
    el("button", { type: "button", class: "btn btn-small", dataset: { timer: name }, onclick: () => run(fn) }, label);
  const buttons = {
    start: button("start", tr("tc.start"), () => api.action("start")),
    pause: button("pause", tr("tc.pause"), () => api.action("pause")),
    resume: button("resume", tr("tc.resume"), () => api.action("resume")),
    next: button("next", tr("tc.next"), () => api.action("next")),
    restart: button("restart", tr("tc.restart"), () => api.action("restart")),
    less: button("less", tr("tc.less"), () => api.action("adjust", { seconds: -60 })),
    more: button("more", tr("tc.more"), () => api.action("adjust", { seconds: 60 })),
  };
  const list = el("ol", { class: "agenda-list" });
  const summary = el("summary", {}, tr("tc.agenda"));
  const settings = el("div", { class: "timer-settings" });
  const notes = el("div", { class: "notes-panel" });
  container.replaceChildren(
    el("div", { class: "timer-panel-main" }, display, delta, el("div", { class: "timer-controls" }, Object.values(buttons))),
    el("details", { class: "agenda-editor" }, summary, list, addForm(), settings),
    notes,
  );
  const view = mountTimer(display, { store, live, variant: "console" });
  mountConsoleNotes(notes, { store, slug });
  const get = watchTimer(store, () => draw());
  let agendaSig = "";
  // Never redraw under the moderator's fingers: wait until they leave the field.
  const typingIn = (box) => {
    const active = document.activeElement;
    return Boolean(active && active.tagName === "INPUT" && box.contains(active));
  };
  list.addEventListener("focusout", () => setTimeout(draw));
  settings.addEventListener("focusout", () => setTimeout(draw));
  let settingsSig = "";

  function draw() {
    const t = get();
    container.hidden = !t;
    if (!t) return;
    const state = t.state;
    buttons.start.hidden = state !== "idle";
    buttons.pause.hidden = state !== "running";
    buttons.resume.hidden = state !== "paused";
    buttons.next.disabled = state === "finished";
    buttons.restart.disabled = state !== "running" && state !== "paused";
    buttons.less.disabled = buttons.more.disabled = state === "finished";
    drawAgenda(t);
    drawSettings(t);
  }

  function tick() {
    const t = get();
    if (t) setText(delta, describeDelta(scheduleDelta(t, live.serverNow())));
  }

  function drawAgenda(t) {
    const sig = JSON.stringify([t.agenda, t.segment, t.state]);
    if (sig === agendaSig || typingIn(list)) return;
    agendaSig = sig;
    setText(summary, tn("tc.agenda_n", t.agenda.length));
    const ids = t.agenda.map((s) => s.id);
    const move = (i, by) => {
      const order = [...ids];
      [order[i], order[i + by]] = [order[i + by], order[i]];
      return run(() => api.reorder(order));
    };
    setChildren(
      list,
      t.agenda.map((s, i) => {
        const minutes = el("input", {
          type: "number",
          class: "agenda-minutes",
          min: "0.5",
          max: "600",
          step: "0.5",
          value: s.minutes,
          "aria-label": tr("tc.minutes_for", { title: s.title }),
          onchange: (ev) => run(() => api.editSegment(s.id, { minutes: Number(ev.target.value) })),
        });
        const current = i === t.segment && t.state !== "finished";
        return el(
          "li",
          { class: ["agenda-row", current ? "agenda-row--current" : ""], dataset: { id: s.id } },
          el("span", { class: "agenda-title", dir: "auto" }, s.title),
          el("span", { class: "agenda-kind", dir: "auto" }, [kindName(s.kind), s.speaker].filter(Boolean).join(" · ")),
          minutes,
          el("span", { class: "agenda-unit" }, tr("tc.unit_min")),
          el("button", { type: "button", class: "btn btn-small", title: tr("tc.run_now"), onclick: () => run(() => api.action("jump", { segment: i })) }, tr("tc.go")),
          el("button", { type: "button", class: "btn btn-small", disabled: i === 0, "aria-label": tr("tc.move_up", { title: s.title }), onclick: () => move(i, -1) }, "↑"),
          el("button", { type: "button", class: "btn btn-small", disabled: i === ids.length - 1, "aria-label": tr("tc.move_down", { title: s.title }), onclick: () => move(i, 1) }, "↓"),
          el("button", { type: "button", class: "btn btn-small", "aria-label": tr("tc.remove", { title: s.title }), onclick: () => run(() => api.removeSegment(s.id)) }, "✕"),
        );
      }),
    );
  }

  function addForm() {
    const title = el("input", { type: "text", maxlength: "200", placeholder: tr("tc.new_segment"), "aria-label": tr("tc.new_segment_title"), required: true });
    const minutes = el("input", { type: "number", min: "0.5", max: "600", step: "0.5", value: "10", "aria-label": tr("tc.minutes") });
    const kind = el("select", { "aria-label": tr("tc.kind") }, KINDS.map((k) => el("option", { value: k, selected: k === "speaker" }, kindName(k))));
    return el(
      "form",
      {
        class: "agenda-add",
        onsubmit: async (ev) => {
          ev.preventDefault();
          const added = await run(() => api.addSegment({ title: title.value, minutes: Number(minutes.value), kind: kind.value }));
          if (added) title.value = "";
        },
      },
      title,
      minutes,
      kind,
      el("button", { type: "submit", class: "btn btn-small" }, tr("tc.add")),
    );
  }

  function drawSettings(t) {
    const sig = JSON.stringify([t.warning, t.auto_wrap, t.questions_gate, t.screen_timer, t.scheduled_start]);
    if (sig === settingsSig || typingIn(settings)) return;
    settingsSig = sig;
    const check = (key, label) =>
      el("label", { class: "timer-option" },
        el("input", { type: "checkbox", checked: Boolean(t[key]), dataset: { setting: key }, onchange: (ev) => run(() => api.settings({ [key]: ev.target.checked })) }),
        label);
    setChildren(
      settings,
      el("label", { class: "timer-option" }, `${tr("tc.warning_at")} `,
        el("input", { type: "number", min: "0", max: "3600", step: "15", value: t.warning, "aria-label": tr("tc.warning_aria"), onchange: (ev) => run(() => api.settings({ warning_seconds: Number(ev.target.value) })) }),
        ` ${tr("tc.s_left")}`),
      el("label", { class: "timer-option" }, `${tr("tc.scheduled")} `,
        el("input", { type: "datetime-local", value: localInput(t.scheduled_start), "aria-label": tr("tc.scheduled"), onchange: (ev) => run(() => api.settings({ scheduled_start: ev.target.value ? new Date(ev.target.value).toISOString() : null })) })),
      check("auto_wrap", tr("tc.auto_wrap")),
      check("questions_gate", tr("tc.questions_gate")),
      check("screen_timer", tr("tc.screen_timer")),
    );
  }

  setInterval(tick, 500);
  draw();
  tick();
  return view;
}
