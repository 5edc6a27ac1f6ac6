// Runs one release of a JavaScript application into its bugs under the real @sentry/node and
// writes every event the SDK would send as a JSON line {"bug", "event"} (an in-memory transport).
// usage: node runner.cjs PLAN.json  (PLAN: {app, release, module, root, triggers: [{bug, entry, input}]})
"use strict";
const fs = require("node:fs");
const path = require("node:path");
const Sentry = require("@sentry/node");

const plan = JSON.parse(fs.readFileSync(process.argv[2], "utf8"));
const events = [];

function memoryTransport() {
  return {
    send(envelope) {
      for (const [header, payload] of envelope[1]) {
        if (header.type === "event") events.push(payload);
      }
      return Promise.resolve({});
    },
    flush() {
      return Promise.resolve(true);
    },
  };
}

Sentry.init({
  dsn: "http://public@localhost/1",
  release: `${plan.app}@${plan.release}.0.0`,
  serverName: `${plan.app}-host`,
  transport: memoryTransport,
  defaultIntegrations: false,
  integrations: [
    Sentry.linkedErrorsIntegration(),
    Sentry.contextLinesIntegration(),
    Sentry.functionToStringIntegration(),
  ],
  tracesSampleRate: 0,
});

async function main() {
  const app = require(path.resolve(plan.module));
  const out = [];
  for (const trigger of plan.triggers) {
    const before = events.length;
    app.source.current = trigger.input;
    try {
      await app.entries[trigger.entry]();
      throw new Error(`no error from ${trigger.entry}`);
    } catch (error) {
      if (String(error.message).startsWith("no error from")) throw error;
      Sentry.captureException(error);
    }
    await Sentry.flush(2000);
    if (events.length !== before + 1) throw new Error(`${trigger.bug}: ${events.length - before} events`);
    out.push(JSON.stringify({ bug: trigger.bug, event: events[before] }));
  }
  fs.writeFileSync(plan.output, out.join("\n") + "\n");
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
