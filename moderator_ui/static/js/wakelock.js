// Keep a tablet or a projector laptop from dimming mid-session. Best effort: the Screen
// Wake Lock API needs a secure context and is released whenever the page is hidden, so
// ask again each time it becomes visible. Where it is missing, nothing happens.

export function keepAwake() {
  if (!("wakeLock" in navigator)) return;
  const request = () => {
    if (document.visibilityState !== "visible") return;
    navigator.wakeLock.request("screen").catch(() => {
      /* refused (battery saver, permissions): the page works the same, just may dim */
    });
  };
  document.addEventListener("visibilitychange", request);
  request();
}
