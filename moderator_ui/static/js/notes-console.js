// Console: send a note to the onsite moderator (presets or free text) and see whether the
// stage has acknowledged it.

import { el, setChildren } from "./dom.js";
import { formatTime, has, t } from "./i18n.js";
import { attempt } from "./toast.js";
import { watchNotes } from "./notes-core.js";
import { timerApi } from "./timer-core.js";

const PRESETS = ["wrap_up", "speaker_ready", "zoom_next"]; // labels: note.kind.* in the catalogue
const SHOW = 5;

export function mountConsoleNotes(container, { store, slug }) {
  const api = timerApi(slug);
  const input = el("input", {
    type: "text",
    class: "notes-input",
    maxlength: "280",
    placeholder: t("nc.placeholder"),
    "aria-label": t("nc.aria"),
  });
  const form = el(
    "form",
    { class: "notes-form", onsubmit: (ev) => send(ev) },
    input,
    el("button", { type: "submit", class: "btn btn-small" }, t("nc.send")),
  );
  const presets = el(
    "div",
    { class: "notes-presets" },
    PRESETS.map((kind) =>
      el("button", { type: "button", class: "btn btn-small", dataset: { note: kind }, onclick: () => attempt(() => api.note(kind)) }, t(`note.kind.${kind}`)),
    ),
  );
  const list = el("ol", { class: "notes-sent", "aria-label": t("nc.sent_list") });
  container.replaceChildren(el("h3", { class: "panel-title" }, t("nc.title")), presets, form, list);
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
          el("span", { class: "note-sent-text", dir: "auto" }, n.kind !== "text" && has(`note.preset.${n.kind}`) ? t(`note.preset.${n.kind}`) : n.text),
          el(
            "span",
            { class: "note-sent-state" },
            n.acked_at ? t("nc.seen", { time: formatTime(n.acked_at) }) : t("nc.sent", { time: formatTime(n.created_at) }),
          ),
        ),
      ),
    );
  }

  draw();
}
