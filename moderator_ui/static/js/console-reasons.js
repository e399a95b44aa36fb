// The dismiss-reason menu: Dismiss stays one key (d) or one click with no reason; the ▾
// beside it, Shift+d, or the ▾ beside "Dismiss selected" opens this small menu of the
// server's reasons (app/queue.py DECLINE_REASONS), which the report counts per channel.
// One menu for the page, outside the list: a live redraw of the list never closes it.
// Keyboard: ↑ ↓ Home End, 1–5 or the item's Enter chooses; Esc or Tab closes; focus then
// goes back to the list (the caller's onClose).

import { t } from "./i18n.js";
import { el } from "./dom.js";

export const REASONS = ["off_topic", "duplicate", "abusive", "answered_elsewhere", "other"];
const MARGIN = 8; // px kept between the menu and the viewport's edges

/**
 * makeReasonMenu({onChoose(reason, target), onClose()}) -> {open(anchor, target), close(),
 * place(), target}. `anchor()` returns the element to sit by (looked up again on every
 * place(): the list may have redrawn it); `target` is what onChoose gets back.
 */
export function makeReasonMenu({ onChoose, onClose }) {
  let anchor = null;
  let target = null;
  const items = REASONS.map((reason, i) =>
    el(
      "button",
      { type: "button", role: "menuitem", class: "reason-item", tabindex: "-1", dataset: { reason } },
      el("kbd", { class: "reason-key", "aria-hidden": "true" }, String(i + 1)),
      el("span", { class: "reason-label" }, t(`reason.${reason}`)),
    ),
  );
  const menu = el(
    "div",
    { id: "reason-menu", class: "reason-menu", role: "menu", "aria-label": t("reason.menu"), hidden: true },
    el("p", { class: "reason-title", "aria-hidden": "true" }, t("reason.menu")),
    items,
  );
  document.body.appendChild(menu);

  function focusItem(index) {
    const n = items.length;
    items[((index % n) + n) % n].focus();
  }

  function close({ restore = true } = {}) {
    if (menu.hidden) return;
    menu.hidden = true;
    const opener = anchor && anchor();
    if (opener) opener.setAttribute("aria-expanded", "false");
    anchor = null;
    target = null;
    if (restore && onClose) onClose();
  }

  function choose(reason) {
    const chosen = target;
    close({ restore: false });
    onChoose(reason, chosen);
    if (onClose) onClose();
  }

  /** Sit below the anchor (above it when there is no room), inside the viewport. */
  function place() {
    if (menu.hidden) return;
    const opener = anchor && anchor();
    if (!opener || !opener.isConnected || !opener.getClientRects().length) {
      close();
      return;
    }
    const a = opener.getBoundingClientRect();
    const width = menu.offsetWidth;
    const height = menu.offsetHeight;
    const vw = document.documentElement.clientWidth;
    const vh = document.documentElement.clientHeight;
    const rtl = document.documentElement.dir === "rtl";
    let left = rtl ? a.left : a.right - width; // its end edge under the ▾
    left = Math.min(Math.max(MARGIN, left), vw - width - MARGIN);
    let top = a.bottom + 4;
    if (top + height > vh - MARGIN) top = Math.max(MARGIN, a.top - 4 - height);
    menu.style.left = `${Math.round(left)}px`; // CSSOM, allowed by the CSP
    menu.style.top = `${Math.round(top)}px`;
  }

  function open(anchorFn, what) {
    if (!menu.hidden) close({ restore: false });
    anchor = anchorFn;
    target = what;
    menu.hidden = false;
    const opener = anchor();
    if (opener) opener.setAttribute("aria-expanded", "true");
    place();
    if (!menu.hidden) focusItem(0);
  }

  menu.addEventListener("click", (ev) => {
    const item = ev.target.closest("[data-reason]");
    if (item) choose(item.dataset.reason);
  });

  menu.addEventListener("keydown", (ev) => {
    if (ev.ctrlKey || ev.metaKey || ev.altKey) return;
    const at = items.indexOf(document.activeElement);
    const digit = Number(ev.key);
    if (ev.key === "Tab") {
      ev.preventDefault();
      close();
    } else if (ev.key === "Escape") {
      close();
    } else if (ev.key === "ArrowDown") {
      focusItem(at + 1);
    } else if (ev.key === "ArrowUp") {
      focusItem(at - 1);
    } else if (ev.key === "Home") {
      focusItem(0);
    } else if (ev.key === "End") {
      focusItem(items.length - 1);
    } else if (Number.isInteger(digit) && digit >= 1 && digit <= items.length) {
      choose(REASONS[digit - 1]);
    } else if (ev.key === "Enter" || ev.key === " ") {
      return; // the focused item's own click
    }
    // Every other key stays in the menu: no shortcut acts on the list behind it.
    ev.preventDefault();
    ev.stopPropagation();
  });

  // A press outside (not on the ▾ that toggles it) closes it, focus where it went.
  document.addEventListener("pointerdown", (ev) => {
    if (menu.hidden || menu.contains(ev.target)) return;
    const opener = anchor && anchor();
    if (opener && opener.contains(ev.target)) return;
    close({ restore: false });
  });
  window.addEventListener("resize", place);
  document.addEventListener("scroll", place, true); // the list scrolled under it

  return {
    open,
    close,
    place,
    get target() {
      return menu.hidden ? null : target;
    },
  };
}
