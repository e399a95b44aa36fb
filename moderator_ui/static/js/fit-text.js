// Text shown big on the stage tablet and the room screen must fit its card at every
// length, from "Yes?" to the 2,000-character cap: a binary search on font-size finds the
// largest size that fits. Below the readable minimum the card scrolls instead (the page
// itself never does) or, with `clamp` (the stream overlay, where nothing may scroll or
// spill), shows as many whole lines as fit and ends them with an ellipsis.

const STEP_PX = 0.5; // precision of the search; finer changes nothing visible

function fits(box) {
  // +1: sub-pixel rounding must not count as overflow.
  return box.scrollHeight <= box.clientHeight + 1 && box.scrollWidth <= box.clientWidth + 1;
}

/** At the smallest size and still too long: keep the lines that fit, ellipsis at the end. */
function clampLines(target, box) {
  const line = parseFloat(getComputedStyle(target).lineHeight) || 16;
  const room = target.offsetHeight - (box.scrollHeight - box.clientHeight);
  let lines = Math.max(1, Math.floor(room / line));
  target.classList.add("fit--clamped");
  target.style.webkitLineClamp = String(lines);
  while (!fits(box) && lines > 1) {
    lines -= 1;
    target.style.webkitLineClamp = String(lines);
  }
}

/**
 * Size `target`'s font so that `box` (a container whose size does not depend on its
 * content, e.g. a grid cell with min-height: 0, or one with a max-height) does not
 * overflow. Returns {size, fits}; when even `min` overflows, `box` gets the class
 * `fit--scroll`, or with `clamp` the text is cut to whole lines (`fit--clamped`).
 */
export function fitText(target, box, { min = 14, max = 72, clamp = false } = {}) {
  box.classList.remove("fit--scroll");
  target.classList.remove("fit--clamped");
  target.style.webkitLineClamp = "";
  if (!box.clientHeight || !box.clientWidth) return { size: max, fits: false }; // hidden
  const set = (px) => {
    target.style.fontSize = `${px}px`; // CSSOM, allowed by the CSP
  };
  set(max);
  if (fits(box)) return { size: max, fits: true };
  set(min);
  if (!fits(box)) {
    if (clamp) clampLines(target, box);
    else box.classList.add("fit--scroll");
    return { size: min, fits: false };
  }
  let lo = min;
  let hi = max;
  while (hi - lo > STEP_PX) {
    const mid = (lo + hi) / 2;
    set(mid);
    if (fits(box)) lo = mid;
    else hi = mid;
  }
  set(lo);
  return { size: lo, fits: true };
}

/**
 * Keep `target` fitted to `box`: refits when the box changes size (rotation, window
 * resize, a sibling region appearing). Returns refit(), to call after the text changed.
 * `bounds()` gives {min, max} in px, read at each fit so they may follow the viewport.
 */
export function autoFit(target, box, bounds) {
  let frame = 0;
  const refit = () => {
    cancelAnimationFrame(frame);
    frame = 0;
    const result = fitText(target, box, bounds());
    box.dataset.fitSize = String(result.size);
    return result;
  };
  const later = () => {
    if (!frame) frame = requestAnimationFrame(refit);
  };
  new ResizeObserver(later).observe(box);
  return refit;
}
