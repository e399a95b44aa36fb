// Stage tablet: notes from the online moderator, newest first, each with a big
// "Got it" button; the console sees the acknowledgement at once.

import { el, setChildren } from "./dom.js";
import { attempt } from "./toast.js";
import { clockTime, watchNotes } from "./notes-core.js";
import { timerApi } from "./timer-core.js";

const SHOW_ACKED = 2; // the last few acknowledged ones stay visible, dimmed

export function mountStageNotes(container, { store, slug }) {
  const api = timerApi(slug);
  const list = el("ol", { class: "notes-list", "aria-live": "assertive" });
  container.replaceChildren(list);
  const get = watchNotes(store, draw);
  const busy = new Set();

  function draw() {
    const notes = get();
    const open = notes.filter((n) => !n.acked_at).reverse();
    const seen = notes.filter((n) => n.acked_at).slice(-SHOW_ACKED).reverse();
    container.hidden = open.length + seen.length === 0;
    setChildren(list, [...open, ...seen].map(item));
  }

  function item(n) {
    const acked = Boolean(n.acked_at);
    return el(
      "li",
      { class: ["note", acked ? "note--acked" : "note--open", `note--${n.kind}`], dataset: { id: n.id } },
      el("p", { class: "note-text" }, n.text),
      el("p", { class: "note-meta" }, [n.auto ? "automatic" : "", clockTime(n.created_at)].filter(Boolean).join(" · ")),
      acked
        ? el("p", { class: "note-seen" }, "Seen")
        : el(
            "button",
            {
              type: "button",
              class: "btn-huge note-ack",
              disabled: busy.has(n.id),
              onclick: () => ack(n.id),
            },
            "Got it",
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
