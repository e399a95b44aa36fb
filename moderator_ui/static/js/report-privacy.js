// The join page's privacy notice (a small mount in audience.html): the session's own
// settings in plain words, from GET /api/sessions/{slug}/privacy. Text only via textContent.
// Folded under a one-line summary, so it does not push the form off a phone's screen.

import { request } from "./api.js";
import { el, setChildren, slugFromPath } from "./dom.js";

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
        el("summary", { class: "privacy-summary" }, "Your data: how it is handled"),
        el("ul", { id: "privacy-statements" }, (privacy.statements || []).map((s) => el("li", {}, s))),
      ),
    );
    box.hidden = false;
  } catch {
    box.hidden = true; // asking a question must not depend on this notice loading
  }
}

showPrivacy();
