// Plays one release's triggers through the application's real entry points under the real
// @sentry/node and writes every event the SDK sends, one JSON line {"trigger", "event"}.
// The transport keeps the envelope's event item instead of posting it (as a test transport does).
// usage: node capture-node.cjs PLAN.json
//   PLAN: {release, app (dir), bundle, output, triggers: [{id, entry, route, input}]}
//   bundle: app is an esbuild bundle's folder, server.js exporting {web, koa, plain, cli} and
//   worker.js (lab/mine/js/node.py `bundle`); otherwise the rendered app/ folder.
"use strict";
const fs = require("node:fs");
const path = require("node:path");
const { Worker } = require("node:worker_threads");

const plan = JSON.parse(fs.readFileSync(process.argv[2], "utf8"));
const SETUP = path.join(__dirname, "sentry-setup.cjs");
process.env.MINE_RELEASE = plan.release;
process.env.MINE_SERVER = plan.serverName;
const { events } = require(SETUP);
const Sentry = require("@sentry/node");

const { web, koa, plain, cli } = plan.bundle
  ? require(path.join(plan.app, "server.js"))
  : Object.fromEntries(["web", "koa", "plain", "cli"].map((n) => [n, require(path.join(plan.app, `${n}.js`))]));

function listen(server) {
  return new Promise((resolve) => {
    const s = server.listen(0, "127.0.0.1", () => resolve(s));
  });
}

async function post(server, prefix, route, input) {
  const { port } = server.address();
  const response = await fetch(`http://127.0.0.1:${port}${prefix}${route}`, {
    method: "POST",
    headers: { "content-type": "application/json", "user-agent": "partner-client/2.1" },
    body: JSON.stringify(input),
  });
  await response.arrayBuffer();
}

function startWorker() {
  const worker = new Worker(path.join(plan.app, "worker.js"), {
    workerData: { setup: SETUP },
    env: { ...process.env, MINE_SERVER: `${plan.serverName}-jobs` },
  });
  let pending = null;
  worker.on("message", (message) => {
    if (message.envelopeEvent) events.push(message.envelopeEvent);
    else if (pending) {
      const done = pending;
      pending = null;
      done(message);
    }
  });
  return {
    run(job) {
      return new Promise((resolve) => {
        pending = resolve;
        worker.postMessage(job);
      });
    },
    stop: () => worker.terminate(),
  };
}

async function main() {
  const servers = {
    express: await listen(require("node:http").createServer(web)),
    koa: await listen(require("node:http").createServer(koa.callback())),
    http: await listen(plain),
  };
  const worker = startWorker();
  const out = [];
  const missing = [];
  for (const trigger of plan.triggers) {
    const before = events.length;
    globalThis.__mineTrigger = trigger.id;
    if (trigger.entry === "express") await post(servers.express, "/api/", trigger.route, trigger.input);
    else if (trigger.entry === "koa") await post(servers.koa, "/partner/", trigger.route, trigger.input);
    else if (trigger.entry === "http") await post(servers.http, "/rpc/", trigger.route, trigger.input);
    else if (trigger.entry === "worker") await worker.run({ trigger: trigger.id, route: trigger.route, input: trigger.input });
    else if (trigger.entry === "cli") {
      // from a fresh macrotask, so the frames above main() are the same for every command
      const argv = [trigger.route, JSON.stringify(trigger.input)];
      await new Promise((resolve) => setImmediate(() => resolve(cli.main(argv))));
    }
    await Sentry.flush(3000);
    const mine = events.slice(before).filter((e) => e.tags && e.tags.mine_trigger === String(trigger.id));
    if (mine.length === 1) out.push(JSON.stringify({ trigger: trigger.id, event: mine[0] }));
    else missing.push({ trigger: trigger.id, got: mine.length });
  }
  await worker.stop();
  for (const server of Object.values(servers)) server.close();
  fs.writeFileSync(plan.output, out.join("\n") + (out.length ? "\n" : ""));
  process.stdout.write(JSON.stringify({ captured: out.length, missing }) + "\n");
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
