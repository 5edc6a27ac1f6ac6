// The legacy browser client, raven-js 3.27.2 (tests/js/sdk-versions), behind the calls of
// @sentry/browser that versions_browser.js makes: esbuild bundles that application with
// `--alias:@sentry/browser=./app/raven_browser.js` (tests/slow/test_raven_sdks.py). raven-js
// posts each event as JSON to the store endpoint, the key and sentry_version 7 in the query,
// `text/plain` (no CORS preflight); install() reports uncaught errors through window.onerror
// and its wrapped timers.
import Raven from "raven-js";

let sent = 0;
let answered = 0;

export function init({ dsn, release, environment }) {
  Raven.config(dsn, { release, environment }).install();
  Raven.setDataCallback((data) => {
    sent += 1;
    return data;
  });
  for (const name of ["ravenSuccess", "ravenFailure"]) {
    document.addEventListener(name, () => {
      answered += 1;
    });
  }
}

export function captureException(error) {
  Raven.captureException(error);
}

// true once every event raven-js sent is answered (raven-js has no flush of its own)
export function flush(timeout) {
  const deadline = Date.now() + timeout;
  return new Promise((resolve) => {
    const poll = () => {
      if (answered >= sent) resolve(true);
      else if (Date.now() > deadline) resolve(false);
      else setTimeout(poll, 20);
    };
    poll();
  });
}
