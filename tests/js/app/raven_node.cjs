// The legacy Node client, raven 2.6.4 (tests/js/sdk-versions), behind the three calls of
// @sentry/node that versions_app.cjs makes, so the same application reports through it
// (tests/slow/test_raven_sdks.py): `node versions_app.cjs <this file> <scenario>`. raven
// posts each event to the store endpoint (sentry_version 5, base64 of a deflate stream);
// install() reports an uncaught exception and exits with 1, as @sentry/node does.
// Run itself (`node raven_node.cjs message`), it sends a message with a parameter.
const Raven = require("raven");

let pending = 0;
const waiting = [];

function settled() {
  pending -= 1;
  if (pending === 0) waiting.splice(0).forEach((resolve) => resolve(true));
}

function init({ dsn, release, environment }) {
  Raven.config(dsn, { release, environment }).install();
}

function captureException(error) {
  pending += 1;
  Raven.captureException(error, settled);
}

function flush() {
  return pending === 0 ? Promise.resolve(true) : new Promise((resolve) => waiting.push(resolve));
}

module.exports = { init, captureException, flush };

if (require.main === module && process.argv[2] === "message") {
  init({ dsn: process.env.FAULTLINE_DSN, release: "shop@1.0.0", environment: "test" });
  pending += 1;
  Raven.captureMessage("Shop started run %s", { extra: { run: 1 } }, settled);
  flush().then(() => process.exit(0));
}
