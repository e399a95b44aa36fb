// Onsite moderator's tablet: the live question as big as its card allows (fitted at every
// length, see fit-text.js), the next four, notes, polls and two huge buttons, on one
// screen without scrolling. Touch first; every control is a button, so Tab and Enter (or
// Space) work too, and a screen reader hears a new question (polite live region).

import { announcer, mountLanguageMenu, t } from "./i18n.js";
import { $, sourceLabel, el, lengthClass, setChildren, setText } from "./dom.js";
import { boot, titleFrom } from "./page.js";
import { keepAwake } from "./wakelock.js";
import { attempt } from "./toast.js";
import { autoFit } from "./fit-text.js";
import { mountStageNotes } from "./notes-stage.js";
import { mountTimer } from "./timer-view.js";
import { mountStagePolls } from "./polls-screen.js";
import { mountStageFloor } from "./floor-stage.js";

const { slug, store, live, api } = boot();
mountLanguageMenu($("#lang"));
const say = announcer();
let saidId = null;
mountTimer($("#stage-timer"), { store, live, variant: "stage" });
mountStageNotes($("#stage-notes"), { store, slug });
mountStagePolls($("#stage-polls"), { store });
mountStageFloor($("#stage-floor"), { store, live, slug, addSlot: $("#floor-add-slot") });
keepAwake();
const UP_NEXT = 4;
// px: the smallest size still readable at arm's length; a one-liner may grow to the max.
const FIT = { min: 14, max: 60 };
const refit = autoFit($("#stage-text"), $("#stage-question"), () => FIT);
let lastFitted = null;
let busy = false; // one request at a time: a double tap must not skip a question

function byline(q) {
  return [q.author, sourceLabel(q)].filter(Boolean).join(" · ");
}

function render() {
  titleFrom(store, t("stage.title"));
  setText($("#session-title"), store.session ? store.session.title : "");

  const q = store.stageQuestion;
  const box = $("#stage-question");
  box.classList.toggle("stage-question--empty", !q);
  const text = $("#stage-text");
  setText(text, q ? q.text : t("stage.nothing"));
  if (q && q.id !== saidId && document.documentElement.dataset.live === "live") say(t("stage.say.question", { text: q.text }));
  saidId = q ? q.id : null;
  text.classList.remove("text--short", "text--long", "text--very-long");
  text.classList.add(lengthClass(q ? q.text : ""));
  setText($("#stage-meta"), q ? byline(q) : "");

  const next = store.queue.slice(0, UP_NEXT);
  setChildren(
    $("#up-next"),
    next.map((item) =>
      el(
        "li",
        { class: "up-next-item" },
        el("p", { class: "up-next-text", dir: "auto" }, item.text),
        el("p", { class: "up-next-meta", dir: "auto" }, byline(item)),
      ),
    ),
  );
  $("#up-next-empty").hidden = next.length > 0;

  $("#answered").disabled = busy || !q;
  $("#next").disabled = busy || (!q && store.queue.length === 0);

  const fitted = `${text.textContent}\n${$("#stage-meta").textContent}`;
  if (fitted !== lastFitted) {
    lastFitted = fitted; // resizes are the observer's business; text changes are ours
    refit();
  }
}

async function tap(call) {
  if (busy) return;
  busy = true;
  render();
  try {
    await attempt(call);
  } finally {
    busy = false;
    render();
  }
}

$("#answered").addEventListener("click", () => {
  const q = store.stageQuestion;
  if (q) tap(() => api.action(q.id, "answer"));
});
$("#next").addEventListener("click", () => tap(() => api.stageNext()));

store.subscribe(render);
render();
