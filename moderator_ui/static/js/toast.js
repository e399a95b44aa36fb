// Short messages (mostly API errors) in the #toasts region, which is aria-live so screen
// readers announce them. Errors stay until dismissed or 8 s; info goes after 4 s.

import { t } from "./i18n.js";
import { el } from "./dom.js";

const LIFETIME_MS = { error: 8000, info: 4000 };

export function toast(message, kind = "error") {
  let region = document.getElementById("toasts");
  if (!region) {
    region = el("div", { id: "toasts", class: "toasts", "aria-live": "assertive", role: "alert" });
    document.body.appendChild(region);
  }
  const item = el(
    "div",
    { class: ["toast", `toast--${kind}`] },
    el("span", { class: "toast-text" }, message),
    el(
      "button",
      { type: "button", class: "toast-close", "aria-label": t("toast.dismiss"), onclick: () => item.remove() },
      "×",
    ),
  );
  region.appendChild(item);
  setTimeout(() => item.remove(), LIFETIME_MS[kind] ?? LIFETIME_MS.error);
  return item;
}

/** Run an async action; show its error (the server's detail) in a toast, never swallow it. */
export async function attempt(fn) {
  try {
    return await fn();
  } catch (err) {
    toast(err && err.detail ? err.detail : String((err && err.message) || err));
    return undefined;
  }
}
