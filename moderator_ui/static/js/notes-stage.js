// Stage tablet: notes from the online moderator, newest first, each with a big
// "Got it" button; the console sees the acknowledgement at once.

import { el, setChildren } from "./dom.js";
import { announcer, formatTime, has, t } from "./i18n.js";
import { attempt } from "./toast.js";
import { watchNotes } from "./notes-core.js";
import { timerApi } from "./timer-core.js";

const SHOW_ACKED = 2; // the last few acknowledged ones stay visible, dimmed

/** A preset note (wrap up, speaker ready...) in the stage's language; free text as typed. */
function noteText(n) {
  const key = `note.preset.${n.kind}`;
  return n.kind !== "text" && has(key) ? t(key) : n.text;
}

export function mountStageNotes(container, { store, slug }) {
  const api = timerApi(slug);
  const list = el("ol", { class: "notes-list" });
  const say = announcer();
  const said = new Set(); // note ids already read out (the first snapshot is not news)
  let primed = false;
  container.replaceChildren(list);
  const get = watchNotes(store, draw);
  const busy = new Set();

  function draw() {
    const notes = get();
    const open = notes.filter((n) => !n.acked_at).reverse();
    const seen = notes.filter((n) => n.acked_at).slice(-SHOW_ACKED).reverse();
    container.hidden = open.length + seen.length === 0;
    setChildren(list, [...open, ...seen].map(item));
    for (const n of open) {
      if (!said.has(n.id) && primed) say(t("stage.say.note", { text: noteText(n) }));
      said.add(n.id);
    }
    primed = primed || document.documentElement.dataset.live === "live";
  }

  function item(n) {
    const acked = Boolean(n.acked_at);
    return el(
      "li",
      { class: ["note", acked ? "note--acked" : "note--open", `note--${n.kind}`], dataset: { id: n.id } },
      el("p", { class: "note-text", dir: "auto" }, noteText(n)),
      el("p", { class: "note-meta" }, [n.auto ? t("note.automatic") : "", formatTime(n.created_at)].filter(Boolean).join(" · ")),
      acked
        ? el("p", { class: "note-seen" }, t("note.seen"))
        : el(
            "button",
            {
              type: "button",
              class: "btn-huge note-ack",
              disabled: busy.has(n.id),
              onclick: () => ack(n.id),
            },
            t("note.got_it"),
          ),
    );
  }

  async function ack(id) {
    if (busy.has(id)) return;
    busy.add(id);
    draw();
    try {
      await attempt(() => api.ack(id));
    } finally {
      busy.delete(id);
      draw();
    }
  }

  draw();
}
