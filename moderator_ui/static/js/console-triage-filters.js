// The console's triage filters: language, questions only, flagged. Native controls in the
// toolbar, so Tab reaches them, Space ticks a box, the arrows choose a language, and Esc
// goes back to the list (console.js). Remembered across a reload like the inbox order:
// "questions only" and "flagged" for every session, the language for this session only
// (another session may have no question in it). Disabled, with the reason, while the
// assistant is off: a filter on results that never come would hide every card.

import { $, el, setChildren } from "./dom.js";
import { lang as pageLang, t } from "./i18n.js";

const KEY = "floorbridge.console.triageFilters";
const langKey = (slug) => `floorbridge.console.triageLang.${slug}`;

function load(key, fallback) {
  try {
    const raw = localStorage.getItem(key);
    return raw === null ? fallback : JSON.parse(raw);
  } catch {
    return fallback; // storage blocked or a damaged value: the default, not an error
  }
}

function save(key, value) {
  try {
    localStorage.setItem(key, JSON.stringify(value));
  } catch {
    // storage blocked: the choice holds until the page is reloaded
  }
}

let names = null;
function languageName(code) {
  if (code === "und") return t("triage.lang_und");
  try {
    names = names || new Intl.DisplayNames([pageLang], { type: "language" });
    return `${names.of(code)} (${code.toUpperCase()})`;
  } catch {
    return code.toUpperCase();
  }
}

export function mountTriageFilters({ slug, results, onChange }) {
  const langSelect = $("#lang-filter");
  const questions = $("#kind-filter");
  const flagged = $("#flag-filter");
  if (!langSelect || !questions || !flagged) return { apply: (items) => items, setFeatures() {}, sync() {} };

  const saved = load(KEY, {});
  const lang = load(langKey(slug), "");
  const state = {
    lang: typeof lang === "string" ? lang : "",
    questions: saved.questions === true,
    flagged: saved.flagged === true,
    on: false, // the assistant runs: its results can be filtered on
  };
  questions.checked = state.questions;
  flagged.checked = state.flagged;

  function sync() {
    const langs = new Set([...results.values()].map((r) => r.lang).filter(Boolean));
    if (state.lang) langs.add(state.lang);
    const wanted = [...langs].sort();
    const have = [...langSelect.options].slice(1).map((o) => o.value);
    if (wanted.join("\n") !== have.join("\n")) {
      setChildren(
        langSelect,
        el("option", { value: "" }, t("console.all_languages")),
        wanted.map((code) => el("option", { value: code }, languageName(code))),
      );
    }
    langSelect.value = state.lang;
  }

  function setFeatures(features) {
    state.on = Boolean(features && features.enabled);
    const why = state.on ? "" : t("triage.filters_off", { reason: ((features && features.reasons) || []).join("; ") || "-" });
    for (const control of [langSelect, questions, flagged]) {
      control.disabled = !state.on;
      const label = control.closest("label");
      if (label) {
        label.classList.toggle("filter--off", !state.on);
        if (why) label.title = why;
        else label.removeAttribute("title");
      }
    }
    sync();
  }

  /** The items these filters keep (all of them while the assistant is off). */
  function apply(items) {
    if (!state.on || (!state.lang && !state.questions && !state.flagged)) return items;
    return items.filter((q) => {
      const r = results.get(q.id);
      // Not analysed (yet, or ever: a burst sheds the oldest): it has no language and no
      // flag, but it may well be a question, and hiding a question is the worse mistake.
      if (!r) return !state.lang && !state.flagged;
      if (state.lang && r.lang !== state.lang) return false;
      if (state.questions && r.kind !== "question") return false;
      if (state.flagged && !(r.flags || []).length) return false;
      return true;
    });
  }

  langSelect.addEventListener("change", () => {
    state.lang = langSelect.value;
    save(langKey(slug), state.lang);
    onChange();
  });
  for (const [box, field] of [[questions, "questions"], [flagged, "flagged"]]) {
    box.addEventListener("change", () => {
      state[field] = box.checked;
      save(KEY, { questions: state.questions, flagged: state.flagged });
      onChange();
    });
  }
  sync();
  return { apply, setFeatures, sync };
}
