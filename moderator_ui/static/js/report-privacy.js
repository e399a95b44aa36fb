// The join page's privacy notice (a small mount in audience.html): the session's own
// settings in plain words, from GET /api/sessions/{slug}/privacy. Text only via textContent.
// Folded under a one-line summary, so it does not push the form off a phone's screen.

import { request } from "./api.js";
import { el, setChildren, slugFromPath } from "./dom.js";
import { t, tn } from "./i18n.js";

/** The session's settings in words of the page's language (the server's `statements` are
 *  English; the same sentences are in the catalogues). */
export function statements(privacy) {
  const names = { full: "privacy.name_full", initials: "privacy.name_initials", anonymous: "privacy.name_anonymous" };
  return [
    t(names[privacy.author_display] || names.initials),
    t("privacy.email"),
    t("privacy.accounts"),
    tn("privacy.retention", Number(privacy.retention_days) || 0),
    t("privacy.rights"),
  ];
}

async function showPrivacy() {
  const box = document.getElementById("privacy");
  if (!box) return;
  try {
    const privacy = await request("GET", `/api/sessions/${encodeURIComponent(slugFromPath())}/privacy`);
    setChildren(
      box,
      el(
        "details",
        { class: "privacy-details" },
        el("summary", { class: "privacy-summary" }, t("privacy.summary")),
        el("ul", { id: "privacy-statements" }, statements(privacy).map((s) => el("li", {}, s))),
      ),
    );
    box.hidden = false;
  } catch {
    box.hidden = true; // asking a question must not depend on this notice loading
  }
}

showPrivacy();
