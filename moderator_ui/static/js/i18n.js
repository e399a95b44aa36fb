// The page's language: messages from the server's gettext catalogues (GET /i18n/<lang>.json,
// see app/i18n), plurals by Intl.PluralRules, numbers and times by Intl. Every page module
// imports this first; its top-level await means the catalogue is there before any drawing.
//
// Which language: ?lang= (then remembered), else what this role chose before on this
// device (localStorage, one key per role: the stage may be French while the console is
// English), else what the server negotiated from Accept-Language (<html lang>), else English.

export const LANGUAGES = [
  { code: "ar", name: "العربية" },
  { code: "zh", name: "中文（简体）" },
  { code: "en", name: "English" },
  { code: "fr", name: "Français" },
  { code: "ru", name: "Русский" },
  { code: "es", name: "Español" },
];
const CODES = new Set(LANGUAGES.map((l) => l.code));
const RTL = /[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufefc]/;

/** Which page this is, for the remembered choice: console, stage, screen, landing... */
export function pageRole() {
  return document.body?.dataset.role || "page";
}

const storeKey = () => `floorbridge.lang.${pageRole()}`;

function remembered() {
  try {
    return localStorage.getItem(storeKey());
  } catch {
    return null; // storage blocked: the server's choice
  }
}

export function remember(lang) {
  try {
    localStorage.setItem(storeKey(), lang);
  } catch {
    // storage blocked: the choice holds for this page view only
  }
}

function chooseLanguage() {
  const asked = new URLSearchParams(location.search).get("lang");
  if (CODES.has(asked)) {
    remember(asked);
    return asked;
  }
  const mine = remembered();
  if (CODES.has(mine)) return mine;
  const served = document.documentElement.lang;
  return CODES.has(served) ? served : "en";
}

async function fetchCatalogue(lang) {
  const response = await fetch(`/i18n/${lang}.json`, { credentials: "same-origin" });
  if (!response.ok) throw new Error(`catalogue ${lang}: HTTP ${response.status}`);
  return response.json();
}

async function load() {
  const lang = chooseLanguage();
  try {
    return await fetchCatalogue(lang);
  } catch (err) {
    console.error("Translations did not load:", err);
    if (lang === "en") return { lang: "en", dir: "ltr", messages: {} };
    try {
      return await fetchCatalogue("en");
    } catch {
      return { lang: "en", dir: "ltr", messages: {} }; // keys show: better than nothing
    }
  }
}

const catalogue = await load();
export const lang = catalogue.lang;
export const dir = catalogue.dir;
const messages = catalogue.messages || {};
const plurals = new Intl.PluralRules(lang);
const numbers = new Intl.NumberFormat(lang);
document.documentElement.lang = lang;
document.documentElement.dir = dir;

/** Untrusted text inside a sentence: isolated (U+2068…U+2069) when directions may mix. */
function isolate(value) {
  const text = String(value);
  return dir === "rtl" || RTL.test(text) ? `\u2068${text}\u2069` : text;
}

function fill(template, params) {
  return template.replace(/\{(\w+)\}/g, (whole, name) => {
    if (!(name in params)) return whole;
    const value = params[name];
    return typeof value === "number" ? numbers.format(value) : isolate(value);
  });
}

/** Whether the catalogue has `key` (for optional ones, e.g. a preset note's kind). */
export const has = (key) => Object.hasOwn(messages, key);

/** t("stage.next") -> "Suivant"; t("timer.next", {title}) fills {title}. */
export function t(key, params = {}) {
  const message = messages[key];
  if (typeof message !== "string") {
    if (message === undefined) console.warn("untranslated:", key);
    return fill(key, params);
  }
  return fill(message, params);
}

/** tn("poll.votes", 3) -> "3 votes" / "3 голоса" / "3 أصوات": the language's plural rule. */
export function tn(key, n, params = {}) {
  const forms = messages[key];
  if (!forms || typeof forms !== "object") return fill(key, { n, ...params });
  const form = forms[plurals.select(n)] ?? forms.other ?? Object.values(forms).pop();
  return fill(form, { n, ...params });
}

export const formatNumber = (n) => numbers.format(n);
const percent = new Intl.NumberFormat(lang, { style: "percent", maximumFractionDigits: 0 });
/** 37 -> "37%" / "37 %" / "٣٧٪": the language's way. */
export const formatPercent = (pct) => percent.format(pct / 100);

/** "14:05" (or "下午2:05", "٢:٠٥ م"...) for an ISO time or ms since the epoch. */
export function formatTime(value) {
  const d = value === null || value === undefined || value === "" ? null : new Date(value);
  return d && !Number.isNaN(d.getTime())
    ? d.toLocaleTimeString(lang, { hour: "2-digit", minute: "2-digit" })
    : "";
}

export function formatDate(value) {
  const d = value ? new Date(value) : null;
  return d && !Number.isNaN(d.getTime()) ? d.toLocaleDateString(lang, { dateStyle: "medium" }) : "";
}

/**
 * Static HTML: `data-i18n="key"` sets the text; `data-i18n-attr="placeholder:key;aria-label:key"`
 * sets attributes. English stays in the HTML, so a page reads right before this runs.
 */
export function applyTranslations(root = document) {
  for (const node of root.querySelectorAll("[data-i18n]")) {
    const key = node.dataset.i18n;
    if (!(key in messages)) continue;
    const slots = node.querySelectorAll(":scope [data-slot]");
    if (slots.length) fillSlots(node, messages[key], slots);
    else node.textContent = t(key);
  }
  for (const node of root.querySelectorAll("[data-i18n-attr]")) {
    for (const pair of node.dataset.i18nAttr.split(";")) {
      const [attr, key] = pair.split(":").map((s) => s.trim());
      if (attr && key in messages) node.setAttribute(attr, t(key));
    }
  }
}

/** A sentence with markup in it: {name} places the element marked data-slot="name". */
function fillSlots(node, message, slots) {
  const byName = new Map([...slots].map((el) => [el.dataset.slot, el]));
  const parts = message.split(/\{(\w+)\}/);
  node.replaceChildren(
    ...parts.map((part, i) => (i % 2 === 0 ? document.createTextNode(part) : byName.get(part) || document.createTextNode(`{${part}}`))),
  );
}

/**
 * The language menu: a labelled <select> (keyboard: Tab, arrows, Enter). A choice is
 * remembered for this role and the page reloads in it (it redraws from the live snapshot).
 */
export function mountLanguageMenu(container) {
  if (!container) return null;
  const id = "lang-menu";
  const label = document.createElement("label");
  label.htmlFor = id;
  label.className = "lang-label";
  label.textContent = t("lang.label");
  const select = document.createElement("select");
  select.id = id;
  select.className = "lang-select";
  for (const { code, name } of LANGUAGES) {
    const option = document.createElement("option");
    option.value = code;
    option.lang = code;
    option.textContent = name;
    option.selected = code === lang;
    select.appendChild(option);
  }
  select.addEventListener("change", () => {
    remember(select.value);
    const url = new URL(location.href);
    url.searchParams.delete("lang");
    location.replace(url.toString());
  });
  container.replaceChildren(label, select);
  return select;
}

/**
 * A polite live region for what a screen reader should hear (a new question, a note, a
 * poll opening): only the changes that are said, never a ticking clock.
 */
export function announcer(id = "announce") {
  let region = document.getElementById(id);
  if (!region) {
    region = document.createElement("div");
    region.id = id;
    region.className = "visually-hidden live-announcer";
    region.setAttribute("role", "status");
    region.setAttribute("aria-live", "polite");
    document.body.appendChild(region);
  }
  let last = "";
  return (text) => {
    if (!text || text === last) return;
    last = text;
    region.textContent = text;
  };
}

applyTranslations();
