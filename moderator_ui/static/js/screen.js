// Room screen / OBS browser source: the live question, nothing else. ?overlay=1 makes the
// background transparent so the stream can key it over the camera picture.

import { $, sourceLabel, lengthClass, setText, showQr } from "./dom.js";
import { boot, titleFrom } from "./page.js";
import { keepAwake } from "./wakelock.js";
import { mountTimer } from "./timer-view.js";
import { mountScreenPoll } from "./polls-screen.js";

const overlay = new URLSearchParams(location.search).get("overlay") === "1";
document.documentElement.classList.toggle("overlay", overlay);
document.body.classList.toggle("overlay", overlay);

const { slug, store, live } = boot();
mountTimer($("#screen-timer"), { store, live, variant: "screen" });
mountScreenPoll($("#screen-poll"), { store });
keepAwake();
showQr($("#qr"), slug);

function render() {
  titleFrom(store, "Screen");
  const q = store.stageQuestion;
  $("#screen-question").hidden = !q;
  const text = $("#screen-text");
  setText(text, q ? q.text : "");
  text.classList.remove("text--short", "text--long", "text--very-long");
  text.classList.add(lengthClass(q ? q.text : ""));
  setText($("#screen-meta"), q ? [q.author, sourceLabel(q)].filter(Boolean).join(" · ") : "");

  // Idle: the session title and (not on the stream overlay) how to join.
  $("#screen-idle").hidden = Boolean(q) || overlay;
  setText($("#session-title"), store.session ? store.session.title : "");
  $("#screen-join").hidden = Boolean(q) || overlay;
  // Plain text, not a link: nobody clicks a projector. Without the scheme it reads better.
  const url = (store.session && store.session.audience_url) || "";
  setText($("#join-url"), url.replace(/^https?:\/\//, ""));
}

store.subscribe(render);
render();
