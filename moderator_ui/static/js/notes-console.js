// Console: send a note to the onsite moderator (presets or free text) and see whether the
// stage has acknowledged it.

import { el, setChildren } from "./dom.js";
import { attempt } from "./toast.js";
import { clockTime, watchNotes } from "./notes-core.js";
import { timerApi } from "./timer-core.js";

const PRESETS = [
  ["wrap_up", "Wrap up"],
  ["speaker_ready", "Remote speaker ready"],
  ["zoom_next", "Next question is from Zoom"],
];
const SHOW = 5;

export function mountConsoleNotes(container, { store, slug }) {
  const api = timerApi(slug);
  const input = el("input", {
    type: "text",
    class: "notes-input",
    maxlength: "280",
    placeholder: "Note to the stage…",
    "aria-label": "Note to the stage",
  });
  const form = el(
    "form",
    { class: "notes-form", onsubmit: (ev) => send(ev) },
    input,
    el("button", { type: "submit", class: "btn btn-small" }, "Send"),
  );
  const presets = el(
    "div",
    { class: "notes-presets" },
    PRESETS.map(([kind, label]) =>
      el("button", { type: "button", class: "btn btn-small", dataset: { note: kind }, onclick: () => attempt(() => api.note(kind)) }, label),
    ),
  );
  const list = el("ol", { class: "notes-sent", "aria-label": "Notes sent to the stage" });
  container.replaceChildren(el("h3", { class: "panel-title" }, "Notes to the stage"), presets, form, list);
  const get = watchNotes(store, draw);

  async function send(ev) {
    ev.preventDefault();
    const text = input.value.trim();
    if (!text) return;
    const sent = await attempt(() => api.note("text", text));
    if (sent) input.value = "";
  }

  function draw() {
    const notes = get().slice(-SHOW).reverse();
    setChildren(
      list,
      notes.map((n) =>
        el(
          "li",
          { class: ["note-sent", n.acked_at ? "note-sent--acked" : "note-sent--open"], dataset: { id: n.id } },
          el("span", { class: "note-sent-text" }, n.text),
          el(
            "span",
            { class: "note-sent-state" },
            n.acked_at ? `seen ${clockTime(n.acked_at)}` : `sent ${clockTime(n.created_at)}, not seen yet`,
          ),
        ),
      ),
    );
  }

  draw();
}
