// One question in the console's list: text (or the inline editor), who/where/votes/age,
// the buttons its state allows, and the merge picker. Pure rendering: the buttons carry
// data-action and console.js handles clicks for the whole list.

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
  answered: [],
  dismissed: [["restore", "Restore", "r"]],
};

export function renderItem(q, view) {
  const selected = q.id === view.selectedId;
  const li = el("li", {
    class: ["q", `q--${q.state}`, selected && "q--selected", view.fresh.has(q.id) && "q--new"],
    dataset: { id: q.id },
    "aria-current": selected ? "true" : false,
    draggable: q.state === "queued" && view.editingId !== q.id,
  });

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
  if (q.id === view.mergingId) li.appendChild(mergePicker(q, view.mergeTargets));
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
  if (q.simulated) parts.push(el("span", { class: "tag" }, "simulated"));
  return el("p", { class: "q-meta" }, parts);
}

function mergePicker(q, candidates) {
  const targets = candidates.filter((t) => t.id !== q.id);
  const select = el(
    "select",
    { class: "merge-target", "aria-label": "Merge into" },
    targets.map((t) =>
      el("option", { value: t.id }, `#${t.id} ${short(t.text)} (${t.state.replace("_", " ")})`),
    ),
  );
  return el(
    "div",
    { class: "q-merge" },
    el("label", {}, "Merge into ", select),
    el(
      "button",
      {
        type: "button",
        class: "btn btn-small btn-primary",
        dataset: { action: "merge-confirm" },
        disabled: !targets.length,
      },
      "Confirm merge",
    ),
    el("button", { type: "button", class: "btn btn-small", dataset: { action: "merge-cancel" } }, "Cancel"),
  );
}

function short(text, max = 70) {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
