// The one script of the web console: a page of something still moving (a
// rollout, a deployment) marks its <body> with data-refresh="<seconds>"; this
// fetches the same URL that often and swaps its <main> in, until the page no
// longer says it moves. Without JavaScript the page is the same, read as of
// its last load.
export const LIVE_SCRIPT_PATH = "/assets/live.js";

export const LIVE_SCRIPT = `"use strict";
(() => {
  const every = Number(document.body.dataset.refresh) * 1000;
  if (!(every > 0)) return;
  const tick = async () => {
    try {
      const response = await fetch(location.href, { credentials: "same-origin", headers: { accept: "text/html" } });
      if (!response.ok) return;
      const next = new DOMParser().parseFromString(await response.text(), "text/html");
      const main = next.querySelector("main");
      if (main) document.querySelector("main").replaceWith(main);
      if (next.body.dataset.refresh) setTimeout(tick, every);
    } catch {
      setTimeout(tick, every * 2);
    }
  };
  setTimeout(tick, every);
})();
`;
