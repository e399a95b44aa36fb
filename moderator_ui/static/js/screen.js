// Room screen / OBS browser source. The projector shows the live question (or the poll
// the moderator put on it, or the session title), the timer, and, when idle or while a
// poll is open, a big QR code with the short URL and the session code. ?overlay=1 is the
// stream version: transparent, everything in the lower third, no banners on air.

import { mountLanguageMenu, t } from "./i18n.js";
import { $, el, sourceLabel, lengthClass, setChildren, setText, showQr } from "./dom.js";
import { drawScreenFloor, watchFloor } from "./floor-core.js";
import { autoFit } from "./fit-text.js";
import { boot, titleFrom } from "./page.js";
import { keepAwake } from "./wakelock.js";
import { mountTimer } from "./timer-view.js";
import { mountScreenPoll } from "./polls-screen.js";
import { watchJoinCode } from "./poll-access.js";

const params = new URLSearchParams(location.search);
const overlay = params.get("overlay") === "1";
// ?contrast=high: the high-contrast, large-text variant for low vision (black, white,
// yellow; bigger fixed texts; bold questions). Not on the stream overlay.
const highContrast = params.get("contrast") === "high" && !overlay;
document.documentElement.classList.toggle("screen-overlay", overlay);
document.body.classList.toggle("screen-overlay", overlay);
document.body.classList.toggle("screen-hc", highContrast);

// Font sizes in px follow the output's height: 720p, 1080p and 4K look the same.
const vh = (f) => Math.round(innerHeight * f);
// On the stream a question too long for the lower third is cut to whole lines (clamp).
const TEXT = overlay
  ? () => ({ min: vh(0.02), max: vh(0.05), clamp: true })
  : () => ({ min: vh(highContrast ? 0.03 : 0.022), max: vh(0.09) });
const TITLE = () => ({ min: vh(0.03), max: vh(0.1) });
const POLL = overlay ? () => ({ min: vh(0.014), max: vh(0.03) }) : () => ({ min: vh(0.018), max: vh(0.045) });

const { slug, store, live } = boot();
if (overlay) $("#lang").remove(); // nothing on air but the lower third
else mountLanguageMenu($("#lang"));
const joinCode = watchJoinCode(store); // before render subscribes: render reads it
const floor = watchFloor(store, () => {}); // render (subscribed below) draws it
mountTimer($("#screen-timer"), { store, live, variant: "screen" });
const polls = mountScreenPoll($("#screen-poll"), { store, bounds: POLL });
keepAwake();
showQr($("#qr"), slug);
const fitQuestion = autoFit($("#screen-text"), $("#screen-question"), TEXT);
const fitTitle = autoFit($("#session-title"), $("#screen-idle"), TITLE);
let fitted = null;

function render() {
  titleFrom(store, t("screen.title"));
  const q = store.stageQuestion;
  const poll = polls.onScreen;
  const f = floor();
  // Someone has the floor and nothing else is on screen: the room sees who speaks (and,
  // when the moderator allows it, who is next).
  const floorOn = Boolean(f && f.speaking) && !overlay;
  const mode = poll ? "poll" : q ? "question" : floorOn ? "floor" : "idle";
  const main = $("#screen");
  main.classList.remove("screen--idle", "screen--question", "screen--poll", "screen--floor");
  $("#screen-floor").hidden = mode !== "floor";
  if (mode === "floor") drawScreenFloor($("#screen-floor"), f, el, setChildren);
  main.classList.add(`screen--${mode}`);

  $("#screen-question").hidden = mode !== "question";
  const text = $("#screen-text");
  setText(text, q ? q.text : "");
  text.classList.remove("text--short", "text--long", "text--very-long");
  text.classList.add(lengthClass(q ? q.text : ""));
  setText($("#screen-meta"), q ? [q.author, sourceLabel(q)].filter(Boolean).join(" · ") : "");

  // Idle: the session title and (not on the stream overlay) how to join.
  $("#screen-idle").hidden = mode !== "idle" || overlay;
  setText($("#session-title"), store.session ? store.session.title : "");

  // How to get to the vote: whenever a poll is open, on the projector and on the stream.
  const voting = Boolean(poll && poll.state === "open");
  const join = voting || (mode === "idle" && !overlay);
  $("#screen-join").hidden = !join;
  main.classList.toggle("screen--join", join);
  setText($("#join-call"), voting ? t("screen.vote") : t("screen.ask"));
  // Plain text, not a link: nobody clicks a projector. Without the scheme it reads better.
  const url = (store.session && store.session.audience_url) || "";
  setText($("#join-url"), url.replace(/^https?:\/\//, ""));
  // The voting join code when the moderator set one (phones ask for it), else the
  // session's own code: the slug, what the short URL ends with.
  const code = joinCode();
  setText($("#join-code-label"), code ? t("screen.join_code") : t("screen.session_code"));
  setText($("#join-code"), code || slug);
  $("#join-code").classList.toggle("join-code--vote", Boolean(code));
  // The session's live captions (set by the organiser): the address, to type or follow.
  const captions = (store.session && store.session.captions_url) || "";
  $("#join-captions").hidden = !captions;
  setText($("#captions-url"), captions.replace(/^https?:\/\//, ""));

  const now = `${mode}\n${text.textContent}\n${$("#screen-meta").textContent}\n${$("#session-title").textContent}`;
  if (now !== fitted) {
    fitted = now;
    fitQuestion();
    fitTitle();
  }
}

store.subscribe(render);
polls.onChange(render);
render();
