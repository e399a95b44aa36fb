// A real word cloud for the room screen: each word sized by how often it was given, laid
// out on a spiral from the centre with bounding-box collision checks, so no two words
// overlap and none leaves the box. Words are text nodes (untrusted input), positioned
// through the CSSOM (allowed by the CSP).

import { t, tn } from "./i18n.js";
import { el } from "./dom.js";

const PAD = 0.12; // em of air around each word's box
const SHRINK = 0.85; // when not everything fits, try again this much smaller
const ATTEMPTS = 7;

function votes(n) {
  return tn("poll.votes", n);
}

/** Font px for each count: strictly growing with the count, from `min` to `max`. */
export function cloudSizes(counts, min, max) {
  const hi = Math.max(...counts);
  const lo = Math.min(...counts);
  if (hi === lo) return counts.map(() => max);
  return counts.map((c) => min + (max - min) * Math.sqrt((c - lo) / (hi - lo)));
}

function hits(a, b) {
  return a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;
}

/** Where a w x h box can go, walking an elliptical spiral out from the centre, or null. */
function spot(w, h, W, H, placed) {
  const aspect = H / W;
  const step = Math.max(1, Math.min(W, H) / 250); // px of radius per 0.2 rad
  const reach = Math.hypot(W, H) / 2 + Math.max(w, h);
  for (let t = 0; step * t < reach; t += 0.2) {
    const r = step * t;
    const x = W / 2 + r * Math.cos(t) - w / 2;
    const y = H / 2 + r * aspect * Math.sin(t) - h / 2;
    if (x < 0 || y < 0 || x + w > W || y + h > H) continue;
    const box = { x, y, w, h };
    if (!placed.some((p) => hits(p, box))) return box;
  }
  return null;
}

/**
 * Lay `words` ([{word, count}], most given first) out inside `box`, which must have its
 * size from the layout (not from its content). Returns the list element.
 */
export function drawCloud(box, words, { min = 16, max = 96 } = {}) {
  const list = el("ul", { class: "screen-cloud", "aria-label": t("poll.words") });
  box.replaceChildren(list);
  const W = box.clientWidth;
  const H = box.clientHeight;
  if (!W || !H || !words.length) return list;
  const items = words.map((w) =>
    el(
      "li",
      { class: "screen-cloud-word", title: votes(w.count), dataset: { count: String(w.count) } },
      el("span", { class: "screen-cloud-text" }, w.word),
      el("span", { class: "visually-hidden" }, ` (${votes(w.count)})`),
    ),
  );
  list.append(...items);
  let top = Math.min(max, H / 2.2);
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    const sizes = cloudSizes(
      words.map((w) => w.count),
      Math.min(min, top),
      top,
    );
    const placed = [];
    let all = true;
    items.forEach((li, i) => {
      li.hidden = false;
      li.style.fontSize = `${sizes[i]}px`;
      li.style.left = "0px";
      li.style.top = "0px";
      const pad = sizes[i] * PAD;
      const w = li.offsetWidth + 2 * pad;
      const h = li.offsetHeight + 2 * pad;
      const at = spot(w, h, W, H, placed);
      if (!at) {
        li.hidden = true; // only the rarest words drop out, on the last attempt
        all = false;
        return;
      }
      placed.push(at);
      li.style.left = `${at.x + pad}px`;
      li.style.top = `${at.y + pad}px`;
    });
    if (all) break;
    top *= SHRINK;
  }
  return list;
}
