// Drag-and-drop reordering of the console's queue (the keyboard way is Alt+Up/Down).
// The list is redrawn from live events, so listeners sit on the list, not on items.

import { $$ } from "./dom.js";

const MARKS = ["q--dragging", "q--drop-before", "q--drop-after"];

/**
 * list: the <ol>; active(): is the queue shown; order(): queued ids in order (unfiltered);
 * move(id, position): ask the server to put `id` at 1-based `position`.
 */
export function enableQueueDrag(list, { active, order, move }) {
  let dragId = null;

  const clear = () => {
    for (const li of $$(MARKS.map((m) => `.${m}`).join(", "), list)) li.classList.remove(...MARKS);
  };
  const after = (li, clientY) => {
    const rect = li.getBoundingClientRect();
    return clientY > rect.top + rect.height / 2;
  };
  const end = () => {
    dragId = null;
    clear();
  };

  list.addEventListener("dragstart", (ev) => {
    const li = ev.target.closest("li[data-id]");
    if (!li || !active()) return;
    dragId = Number(li.dataset.id);
    ev.dataTransfer.effectAllowed = "move";
    ev.dataTransfer.setData("text/plain", String(dragId));
    li.classList.add("q--dragging");
  });

  list.addEventListener("dragover", (ev) => {
    const li = ev.target.closest("li[data-id]");
    if (dragId === null || !li) return;
    ev.preventDefault();
    ev.dataTransfer.dropEffect = "move";
    for (const other of $$(".q--drop-before, .q--drop-after", list)) {
      other.classList.remove("q--drop-before", "q--drop-after");
    }
    li.classList.add(after(li, ev.clientY) ? "q--drop-after" : "q--drop-before");
  });

  list.addEventListener("drop", (ev) => {
    const li = ev.target.closest("li[data-id]");
    if (dragId === null || !li) return;
    ev.preventDefault();
    const target = Number(li.dataset.id);
    if (target !== dragId) {
      // Count in the full queue (a channel filter may hide items): take the dragged item
      // out, then insert it before or after the target.
      const rest = order().filter((id) => id !== dragId);
      const index = rest.indexOf(target) + (after(li, ev.clientY) ? 1 : 0);
      move(dragId, index + 1);
    }
    end();
  });

  list.addEventListener("dragend", end);
}
