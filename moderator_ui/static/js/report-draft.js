// "Suggest from the record": the most asked questions of the session (upvotes plus the
// questions merged into them), from the report's draft, offered as key issues. Nothing is
// written until the rapporteur picks one; a pick appends a line to the Key issues field,
// which saves it like any typing. The texts are people's questions: shown as text only.

import { request } from "./api.js";
import { $, el, setText } from "./dom.js";
import { t } from "./i18n.js";
import { attempt } from "./toast.js";

export function setupDraft(base) {
  const button = $("#draft-issues");
  const list = $("#draft-issues-list");
  const target = $('[data-section="igf.key_issues"]');
  if (!button || !list || !target) return;
  const useLabel = t("rep.use");
  const noneText = t("rep.none_upvoted");
  button.addEventListener("click", () =>
    attempt(async () => {
      const report = await request("GET", `${base}/report`);
      const issues = report.draft?.candidate_key_issues || [];
      list.replaceChildren();
      if (!issues.length) list.append(el("li", { class: "muted", text: noneText }));
      for (const issue of issues) {
        const use = el("button", { type: "button", class: "btn btn-small", text: useLabel });
        use.addEventListener("click", () => {
          const text = target.value.replace(/\s+$/, "");
          target.value = text ? `${text}\n${issue.text}` : issue.text;
          target.dispatchEvent(new Event("input", { bubbles: true }));
          use.disabled = true;
        });
        const words = el("span", { class: "draft-text", dir: "auto" });
        setText(words, issue.text);
        list.append(el("li", { class: "draft-issue" }, words, use));
      }
      list.hidden = false;
    }),
  );
}
