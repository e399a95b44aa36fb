// One question in the console's list: its bulk-select box, text (or the inline editor),
// who/where/votes/age, the buttons its state allows, and the merge picker. Pure rendering:
// the buttons carry data-action and console.js handles clicks for the whole list.

import { age, channelLabel, el, safeLink } from "./dom.js";
import { t } from "./i18n.js";

// state -> [action, label key, shortcut]; only what the server's state machine allows.
const BUTTONS = {
  inbox: [
    ["approve", "item.approve", "a"],
    ["edit", "item.edit", "e"],
    ["merge", "item.merge", "m"],
    ["dismiss", "item.dismiss", "d"],
  ],
  queued: [
    ["push", "item.push", "p"],
    ["up", "item.up", "Alt+↑"],
    ["down", "item.down", "Alt+↓"],
    ["edit", "item.edit", "e"],
    ["merge", "item.merge", "m"],
    ["dismiss", "item.dismiss", "d"],
  ],
  on_stage: [
    ["answer", "item.answer", "x"],
    ["back", "item.back", "b"],
    ["edit", "item.edit", "e"],
  ],
  answered: [["reopen", "item.reopen", null]],
  dismissed: [["restore", "item.restore", "r"]],
  merged: [["unmerge", "item.unmerge", "u"]],
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
      "aria-label": t("item.tick", { id: String(q.id) }),
    }),
  );
  const main = el("div", { class: "q-main" });
  if (q.state === "queued") {
    main.appendChild(el("span", { class: "q-pos", title: t("item.position") }, q.position ?? ""));
  }
  if (q.id === view.editingId) {
    main.appendChild(
      el("textarea", {
        class: "q-edit",
        "aria-label": t("item.edit_aria"),
        value: view.draft,
        rows: 3,
        oninput: (ev) => view.onDraft(ev.target.value),
        onkeydown: view.onEditorKey,
      }),
    );
    main.appendChild(el("p", { class: "hint" }, t("item.edit_hint")));
  } else {
    main.appendChild(el("p", { class: "q-text", dir: "auto" }, q.text));
  }
  if (q.edited) {
    const open = view.showOriginal.has(q.id);
    main.appendChild(
      el(
        "p",
        { class: "q-edited" },
        el("span", { class: "tag" }, t("item.edited")),
        " ",
        el(
          "button",
          {
            type: "button",
            class: "link-btn",
            dataset: { action: "original" },
            "aria-expanded": String(open),
          },
          open ? t("item.hide_original") : t("item.show_original"),
        ),
      ),
    );
    if (open) main.appendChild(el("blockquote", { class: "q-original", dir: "auto" }, q.original_text ?? ""));
  }
  main.appendChild(meta(q, view.now));
  li.appendChild(main);

  li.appendChild(
    el(
      "div",
      { class: "q-actions" },
      (BUTTONS[q.state] || []).map(([action, labelKey, shortcut]) => {
        const label = t(labelKey);
        const key = shortcut || t("item.reopen_key");
        const button = el(
          "button",
          {
            type: "button",
            class: ["btn", "btn-small", `btn-${action}`],
            dataset: { action },
            title: `${label} (${key})`,
          },
          label,
        );
        return action === "dismiss" ? dismissSplit(button, q.id === view.reasonFor) : button;
      }),
    ),
  );
  if (q.id === view.mergingId) li.appendChild(mergePicker(view));
  return li;
}

// Dismiss stays one click with no reason; the ▾ beside it opens the reason menu
// (console-reasons.js). Kept together so the two never wrap apart.
function dismissSplit(button, open) {
  const label = t("item.dismiss_reason");
  const caret = el(
    "button",
    {
      type: "button",
      class: "btn btn-small btn-dismiss btn-caret",
      dataset: { action: "dismiss-reason" },
      title: `${label} (Shift+d)`,
      "aria-label": label,
      "aria-haspopup": "menu",
      "aria-controls": "reason-menu",
      "aria-expanded": String(open),
    },
    "▾",
  );
  return el("span", { class: "btn-split" }, button, caret);
}

function meta(q, now) {
  const parts = [
    el("bdi", { class: "q-author" }, q.author || t("common.anonymous")),
    el("span", { class: "q-channel" }, channelLabel(q.channel)),
    el("span", { class: "q-votes", title: t("item.upvotes") }, `▲ ${q.votes ?? 0}`),
    el(
      "span",
      { class: "q-age", dataset: { created: q.created_at || "" } },
      age(q.created_at, now),
    ),
  ];
  const link = safeLink(q.url, t("item.original_post"), { class: "q-link" });
  if (link) parts.push(link);
  if (q.sources && q.sources.length) {
    const ids = q.sources.map((id) => `#${id}`).join(", ");
    parts.push(el("span", { class: "q-sources", title: t("item.merged_from", { ids }) }, t("item.merged_n", { n: q.sources.length })));
  }
  if (q.state === "merged" && q.merged_into) {
    parts.push(el("span", { class: "q-merged-into" }, t("item.merged_into", { id: String(q.merged_into) })));
  }
  if (q.simulated) parts.push(el("span", { class: "tag" }, t("common.simulated")));
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
    "aria-label": t("merge.into"),
    "aria-autocomplete": "list",
    "aria-controls": "merge-options",
    "aria-expanded": "true",
    autocomplete: "off",
    placeholder: t("merge.placeholder"),
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
        t("merge.confirm"),
      ),
      el("button", { type: "button", class: "btn btn-small", dataset: { action: "merge-cancel" } }, t("common.cancel")),
    ),
    el("p", { class: "merge-chosen", "aria-live": "polite" }),
    el("ul", { id: "merge-options", class: "merge-options", role: "listbox", "aria-label": t("merge.candidates") }),
  );
}

/** Fill the open picker's options and the "merging into" line; returns nothing. */
export function fillMergeOptions(picker, candidates, chosen) {
  const list = picker.querySelector(".merge-options");
  const input = picker.querySelector(".merge-search");
  const line = picker.querySelector(".merge-chosen");
  const confirm = picker.querySelector('[data-action="merge-confirm"]');
  list.replaceChildren(
    ...candidates.map((c) =>
      el(
        "li",
        {
          id: `merge-option-${c.id}`,
          class: "merge-option",
          role: "option",
          dataset: { into: c.id },
          "aria-selected": String(chosen !== null && c.id === chosen.id),
        },
        `#${c.id} ${short(c.text)} (${t(`state.${c.state}`)})`,
      ),
    ),
  );
  if (!candidates.length) list.appendChild(el("li", { class: "merge-none muted" }, t("merge.none")));
  if (chosen) input.setAttribute("aria-activedescendant", `merge-option-${chosen.id}`);
  else input.removeAttribute("aria-activedescendant");
  line.textContent = chosen
    ? t("merge.chosen", { id: String(chosen.id), text: short(chosen.text, 120) })
    : t("merge.choose");
  confirm.disabled = !chosen;
}

function short(text, max = 70) {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
