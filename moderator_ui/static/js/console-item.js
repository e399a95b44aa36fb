// One question in the console's list: its bulk-select box, text (or the inline editor),
// who/where/votes/age, the buttons its state allows, and the merge picker. Pure rendering:
// the buttons carry data-action and console.js handles clicks for the whole list.

import { age, channelLabel, el, safeLink } from "./dom.js";

// state -> [action, label, shortcut]; only what the server's state machine allows.
const BUTTONS = {
  inbox: [
    ["approve", "Approve", "a"],
    ["edit", "Edit", "e"],
    ["merge", "Merge", "m"],
    ["dismiss", "Dismiss", "d"],
  ],
  queued: [
    ["push", "Push", "p"],
    ["up", "Up", "Alt+↑"],
    ["down", "Down", "Alt+↓"],
    ["edit", "Edit", "e"],
    ["merge", "Merge", "m"],
    ["dismiss", "Dismiss", "d"],
  ],
  on_stage: [
    ["answer", "Answered", "x"],
    ["back", "Back to queue", "b"],
    ["edit", "Edit", "e"],
  ],
  answered: [["reopen", "Reopen", "back to the queue"]],
  dismissed: [["restore", "Restore", "r"]],
  merged: [["unmerge", "Unmerge", "u"]],
};

export function renderItem(q, view) {
  const selected = q.id === view.selectedId;
  const li = el("li", {
    class: ["q", `q--${q.state}`, selected && "q--selected", view.fresh.has(q.id) && "q--new"],
    dataset: { id: q.id },
    "aria-current": selected ? "true" : false,
    draggable: q.state === "queued" && view.editingId !== q.id,
  });

  li.appendChild(
    el("input", {
      type: "checkbox",
      class: "q-check",
      checked: view.checked.has(q.id),
      "aria-label": `Tick question #${q.id} for a bulk action`,
    }),
  );
  const main = el("div", { class: "q-main" });
  if (q.state === "queued") {
    main.appendChild(el("span", { class: "q-pos", title: "Position in the queue" }, q.position ?? ""));
  }
  if (q.id === view.editingId) {
    main.appendChild(
      el("textarea", {
        class: "q-edit",
        "aria-label": "Edit question text",
        value: view.draft,
        rows: 3,
        oninput: (ev) => view.onDraft(ev.target.value),
        onkeydown: view.onEditorKey,
      }),
    );
    main.appendChild(el("p", { class: "hint" }, "Enter saves · Shift+Enter new line · Esc cancels"));
  } else {
    main.appendChild(el("p", { class: "q-text" }, q.text));
  }
  if (q.edited) {
    const open = view.showOriginal.has(q.id);
    main.appendChild(
      el(
        "p",
        { class: "q-edited" },
        el("span", { class: "tag" }, "edited"),
        " ",
        el(
          "button",
          {
            type: "button",
            class: "link-btn",
            dataset: { action: "original" },
            "aria-expanded": String(open),
          },
          open ? "hide original" : "show original",
        ),
      ),
    );
    if (open) main.appendChild(el("blockquote", { class: "q-original" }, q.original_text ?? ""));
  }
  main.appendChild(meta(q, view.now));
  li.appendChild(main);

  li.appendChild(
    el(
      "div",
      { class: "q-actions" },
      (BUTTONS[q.state] || []).map(([action, label, key]) =>
        el(
          "button",
          {
            type: "button",
            class: ["btn", "btn-small", `btn-${action}`],
            dataset: { action },
            title: `${label} (${key})`,
          },
          label,
        ),
      ),
    ),
  );
  if (q.id === view.mergingId) li.appendChild(mergePicker(view));
  return li;
}

function meta(q, now) {
  const parts = [
    el("span", { class: "q-author" }, q.author || "Anonymous"),
    el("span", { class: "q-channel" }, channelLabel(q.channel)),
    el("span", { class: "q-votes", title: "Upvotes" }, `▲ ${q.votes ?? 0}`),
    el(
      "span",
      { class: "q-age", dataset: { created: q.created_at || "" } },
      age(q.created_at, now),
    ),
  ];
  const link = safeLink(q.url, "original post", { class: "q-link" });
  if (link) parts.push(link);
  if (q.sources && q.sources.length) {
    const ids = q.sources.map((id) => `#${id}`).join(", ");
    parts.push(el("span", { class: "q-sources", title: `Merged from ${ids}` }, `merged ${q.sources.length}`));
  }
  if (q.state === "merged" && q.merged_into) {
    parts.push(el("span", { class: "q-merged-into" }, `merged into #${q.merged_into}`));
  }
  if (q.simulated) parts.push(el("span", { class: "tag" }, "simulated"));
  return el("p", { class: "q-meta" }, parts);
}

// The merge picker: a type-ahead input over the questions one may merge into. Its options
// are filled by fillMergeOptions() in place, so live updates never rebuild the input under
// the moderator's fingers; the choice is a question id kept by console.js.
function mergePicker(view) {
  const { merge } = view;
  const input = el("input", {
    type: "text",
    class: "merge-search",
    role: "combobox",
    "aria-label": "Merge into",
    "aria-autocomplete": "list",
    "aria-controls": "merge-options",
    "aria-expanded": "true",
    autocomplete: "off",
    placeholder: "Type words, an author or #id",
    value: merge.query,
    oninput: (ev) => view.onMergeQuery(ev.target.value),
    onkeydown: view.onMergeKey,
  });
  return el(
    "div",
    { class: "q-merge" },
    el(
      "div",
      { class: "merge-row" },
      input,
      el(
        "button",
        { type: "button", class: "btn btn-small btn-primary", dataset: { action: "merge-confirm" } },
        "Confirm merge",
      ),
      el("button", { type: "button", class: "btn btn-small", dataset: { action: "merge-cancel" } }, "Cancel"),
    ),
    el("p", { class: "merge-chosen", "aria-live": "polite" }),
    el("ul", { id: "merge-options", class: "merge-options", role: "listbox", "aria-label": "Candidates" }),
  );
}

/** Fill the open picker's options and the "merging into" line; returns nothing. */
export function fillMergeOptions(picker, candidates, chosen) {
  const list = picker.querySelector(".merge-options");
  const input = picker.querySelector(".merge-search");
  const line = picker.querySelector(".merge-chosen");
  const confirm = picker.querySelector('[data-action="merge-confirm"]');
  list.replaceChildren(
    ...candidates.map((t) =>
      el(
        "li",
        {
          id: `merge-option-${t.id}`,
          class: "merge-option",
          role: "option",
          dataset: { into: t.id },
          "aria-selected": String(chosen !== null && t.id === chosen.id),
        },
        `#${t.id} ${short(t.text)} (${t.state.replace("_", " ")})`,
      ),
    ),
  );
  if (!candidates.length) list.appendChild(el("li", { class: "merge-none muted" }, "No question matches."));
  if (chosen) input.setAttribute("aria-activedescendant", `merge-option-${chosen.id}`);
  else input.removeAttribute("aria-activedescendant");
  line.textContent = chosen ? `Merging into #${chosen.id}: ${short(chosen.text, 120)}` : "Choose the question to merge into.";
  confirm.disabled = !chosen;
}

function short(text, max = 70) {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
