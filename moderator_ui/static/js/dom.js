// Tiny DOM helpers. Untrusted text (questions, names, titles) only ever goes through
// textContent, so "<img src=x onerror=...>" shows up literally and never becomes markup.

import { t } from "./i18n.js";

/**
 * Build an element.
 *   el("button", {class: "btn", type: "button", onclick: fn, dataset: {id: 3}}, "Approve")
 * Children: strings become text nodes, null/false are skipped, arrays are flattened.
 * Attributes: `class`, `dataset`, `on<event>` (listener), `hidden`/`disabled`/... as
 * properties when they exist on the element, otherwise setAttribute. `href` and `src`
 * are deliberately refused here: use safeLink() so every URL gets checked.
 */
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key === "class") node.className = Array.isArray(value) ? value.filter(Boolean).join(" ") : value;
    else if (key === "dataset") Object.assign(node.dataset, value);
    else if (key === "text") node.textContent = String(value);
    else if (key === "value") node.value = String(value);
    else if (key.startsWith("on") && typeof value === "function") {
      node.addEventListener(key.slice(2), value);
    } else if (key === "href" || key === "src" || key === "style" || key === "innerHTML") {
      throw new Error(`el(): set ${key} through a dedicated helper`);
    } else if (key in node && typeof value !== "string") node[key] = value;
    else node.setAttribute(key, value === true ? "" : String(value));
  }
  append(node, children);
  return node;
}

function append(node, children) {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    if (Array.isArray(child)) append(node, child);
    else if (child instanceof Node) node.appendChild(child);
    else node.appendChild(document.createTextNode(String(child)));
  }
}

/** Replace all children of `node` (text is text, nodes are nodes). */
export function setChildren(node, ...children) {
  node.replaceChildren();
  append(node, children);
  return node;
}

/**
 * Keep `parent`'s children in step with `items`, rebuilding a child only when its item
 * object or its signature changed. Untouched nodes stay in the document, so a button
 * being tapped or a focused textarea survives a live update.
 */
const keyedCache = new WeakMap();
export function renderKeyed(parent, items, { id, render, sig = () => "" }) {
  const previous = keyedCache.get(parent) || new Map();
  const next = new Map();
  const nodes = items.map((item) => {
    const key = id(item);
    const signature = sig(item);
    const cached = previous.get(key);
    const fresh = !cached || cached.item !== item || cached.signature !== signature;
    const node = fresh ? render(item) : cached.node;
    next.set(key, { item, signature, node });
    return node;
  });
  keyedCache.set(parent, next);
  // Move nodes into place without detaching the ones already there (keeps focus intact).
  let cursor = parent.firstChild;
  for (const node of nodes) {
    if (node === cursor) cursor = cursor.nextSibling;
    else parent.insertBefore(node, cursor);
  }
  while (cursor) {
    const after = cursor.nextSibling;
    cursor.remove();
    cursor = after;
  }
}

/** Set text safely; returns the node for chaining. */
export function setText(node, value) {
  node.textContent = value === null || value === undefined ? "" : String(value);
  return node;
}

/** True only for absolute http(s) URLs: no javascript:, data:, relative or odd schemes. */
export function isSafeUrl(url) {
  if (typeof url !== "string") return false;
  if (!/^https?:\/\//i.test(url.trim())) return false;
  try {
    const parsed = new URL(url.trim());
    return parsed.protocol === "https:" || parsed.protocol === "http:";
  } catch {
    return false;
  }
}

/** A link to an outside original, or null when the URL is not plain http(s). */
export function safeLink(url, label, attrs = {}) {
  if (!isSafeUrl(url)) return null;
  const a = el("a", { ...attrs, target: "_blank", rel: "noopener noreferrer" }, label);
  a.href = url.trim(); // property, never markup
  return a;
}

/** Load the session's QR code into `img`; if it cannot be shown, hide it (the URL next
 *  to it still works) rather than leave a broken-image box on a projector. */
export function showQr(img, slug) {
  img.addEventListener("error", () => {
    img.hidden = true;
    console.error("QR code did not load:", img.src);
  });
  img.src = `/s/${encodeURIComponent(slug)}/qr.svg`;
}

export const $ = (selector, root = document) => root.querySelector(selector);
export const $$ = (selector, root = document) => Array.from(root.querySelectorAll(selector));

/** Slug from /s/{slug}, /s/{slug}/console, ... */
export function slugFromPath(pathname = location.pathname) {
  const parts = pathname.split("/");
  if (parts[1] !== "s" || !parts[2]) throw new Error(`not a session page: ${pathname}`);
  return decodeURIComponent(parts[2]);
}

/** "12 s", "4 min", "2 h", "3 d" from an ISO timestamp and the (server-synced) now. */
export function age(iso, nowMs) {
  const then = Date.parse(iso);
  if (Number.isNaN(then)) return "";
  const s = Math.max(0, Math.round((nowMs - then) / 1000));
  if (s < 60) return t("age.s", { n: s });
  if (s < 3600) return t("age.min", { n: Math.floor(s / 60) });
  if (s < 86400) return t("age.h", { n: Math.floor(s / 3600) });
  return t("age.d", { n: Math.floor(s / 86400) });
}

/** Size class for text shown huge (stage, screen): a 2000-character question must still
 *  fit the screen, a one-liner should fill it. */
export function lengthClass(text) {
  const n = (text || "").length;
  if (n > 600) return "text--very-long";
  if (n > 220) return "text--long";
  return "text--short";
}

/** Human label for a channel id ("zoom_qa" -> "Zoom Q&A"). */
const CHANNELS = {
  audience: () => t("channel.audience"),
  zoom_chat: () => t("channel.zoom_chat"),
  zoom_qa: () => t("channel.zoom_qa"),
  mastodon: "Mastodon",
  bluesky: "Bluesky",
  youtube: "YouTube",
  x: "X",
};
export function channelLabel(channel) {
  if (!channel) return "";
  const known = Object.hasOwn(CHANNELS, channel) ? CHANNELS[channel] : null;
  if (known) return typeof known === "function" ? known() : known;
  if (channel.startsWith("simulated:")) return t("channel.simulated", { channel: channelLabel(channel.slice(10)) });
  return channel;
}
// Where a question came from, saying so when the demo simulator made it up.
export function sourceLabel(q) {
  const label = channelLabel(q.channel);
  return q.simulated ? t("channel.simulated", { channel: label }) : label;
}
