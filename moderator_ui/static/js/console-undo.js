// Undo for the console: every action the moderator takes (and an Answered tapped on the
// stage) is recorded with its inverse, built from the server's own actions: approve ->
// unapprove, dismiss -> restore, answer -> reopen + push, merge -> unmerge, push -> back.
// `z` or the toast's Undo runs the newest one. Toasts with buttons live in #toasts too.

import { t } from "./i18n.js";
import { el } from "./dom.js";
import { attempt } from "./toast.js";

const KEEP = 20; // undoable steps remembered
const UNDO_TOAST_MS = 8000;
const CONFIRM_MS = 20000;

function region() {
  let node = document.getElementById("toasts");
  if (!node) {
    node = el("div", { id: "toasts", class: "toasts", "aria-live": "assertive", role: "alert" });
    document.body.appendChild(node);
  }
  return node;
}

/** A toast with buttons [{label, primary, onclick}]; returns {node, close}. */
export function actionToast(message, buttons, { kind = "info", lifetime = UNDO_TOAST_MS, onclose } = {}) {
  let closed = false;
  const close = () => {
    if (closed) return;
    closed = true;
    clearTimeout(timer);
    node.remove();
    if (onclose) onclose();
  };
  const node = el(
    "div",
    { class: ["toast", `toast--${kind}`] },
    el("span", { class: "toast-text" }, message),
    buttons.map((b) =>
      el(
        "button",
        {
          type: "button",
          class: ["toast-action", b.primary && "toast-action--primary"],
          dataset: b.data || {},
          onclick: () => {
            b.onclick(); // first: closing answers "no" to a confirmation left unanswered
            close();
          },
        },
        b.label,
      ),
    ),
  );
  region().appendChild(node);
  const timer = setTimeout(close, lifetime);
  return { node, close };
}

/** Ask once, in the page (no window.confirm): resolves true (Swap) or false. */
export function confirmToast(message, yes, { onclose } = {}) {
  return new Promise((resolve) => {
    let answered = false;
    const answer = (value) => {
      if (answered) return;
      answered = true;
      resolve(value);
    };
    const { node, close } = actionToast(
      message,
      [
        { label: yes, primary: true, data: { confirm: "yes" }, onclick: () => answer(true) },
        { label: t("common.cancel"), data: { confirm: "no" }, onclick: () => answer(false) },
      ],
      {
        kind: "confirm",
        lifetime: CONFIRM_MS,
        onclose: () => {
          answer(false);
          if (onclose) onclose();
        },
      },
    );
    node.setAttribute("role", "alertdialog");
    node.addEventListener("keydown", (ev) => {
      if (ev.key === "Escape") {
        ev.preventDefault();
        ev.stopPropagation();
        close();
      }
    });
    node.querySelector('[data-confirm="yes"]').focus();
  });
}

export function short(text, max = 60) {
  const t = text || "";
  return t.length > max ? `${t.slice(0, max - 1)}…` : t;
}

/**
 * The console's undo history. record(label, steps) remembers an inverse (a list of async
 * calls run in order) and offers it in a toast; undo() runs the newest.
 */
export function makeUndo({ afterUndo }) {
  const history = [];
  let shown = null;

  function record(label, steps) {
    if (!steps.length) return;
    const entry = { label, steps };
    history.push(entry);
    if (history.length > KEEP) history.shift();
    if (shown) shown.close();
    shown = actionToast(label, [
      { label: t("common.undo"), primary: true, data: { undo: "1" }, onclick: () => undo(entry) },
    ]);
    shown.node.classList.add("toast--undo");
  }

  async function undo(entry = history[history.length - 1]) {
    if (!entry) {
      actionToast(t("common.nothing_to_undo"), [], { lifetime: 2500 });
      return;
    }
    const at = history.indexOf(entry);
    if (at !== -1) history.splice(at, 1);
    if (shown) shown.close();
    await attempt(async () => {
      for (const step of entry.steps) await step();
      actionToast(`Undone: ${entry.label}`, [], { lifetime: 3000 });
    });
    if (afterUndo) afterUndo();
  }

  return { record, undo, get size() { return history.length; } };
}
