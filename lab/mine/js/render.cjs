// Writes one release of a codebase: its application modules (each calling the release's version
// of its libraries), the route table, and the entry points that real traffic goes through.
// Node: Express, Koa, plain `http`, a worker_threads worker and a CLI. Browser: a click handler,
// a timer, an unhandled promise and a caught-and-reported call, behind @sentry/browser.
"use strict";
const fs = require("node:fs");
const path = require("node:path");

const NOTES = [
  "tighten input handling",
  "bump dependencies",
  "move helpers around",
  "log slow requests",
  "rename internal flags",
  "drop legacy code path",
];

function load(name) {
  return require(path.join(__dirname, "codebases", `${name}.cjs`));
}

function versionsOf(spec, release) {
  return Object.fromEntries(Object.entries(spec.libs).map(([lib, vs]) => [lib, vs[release - 1]]));
}

function major(version) {
  return Number(String(version).split(".")[0]);
}

function routeOf(file, fn) {
  return `${path.basename(file.path, ".js")}/${fn.name}`;
}

function fileText(spec, file, release, versions) {
  const note = [];
  for (let r = 1; r <= release; r += 1) {
    note.push(`// ${r}.${(r * 7) % 5}.0: ${NOTES[(r + file.path.length) % NOTES.length]}`);
  }
  const lines = ['"use strict";', `// ${spec.name}: ${file.path}`, ...note];
  lines.push(...file.imports(versions, major), "");
  if (file.prelude) lines.push(...file.prelude(versions, major), "");
  for (const fn of file.functions) {
    lines.push(`function ${fn.name}(input) {`);
    for (const line of fn.body(versions, major)) lines.push(`  ${line}`);
    lines.push("}", "");
  }
  lines.push(`module.exports = { ${file.functions.map((f) => f.name).join(", ")} };`, "");
  return lines.join("\n");
}

function routesText(spec) {
  const lines = [
    '"use strict";',
    "// Every operation the application exposes, by route.",
    "Error.stackTraceLimit = 50; // whole traces in error reports (the default keeps 10 frames)",
    "module.exports = {",
  ];
  for (const file of spec.files) {
    for (const fn of file.functions) {
      lines.push(`  "${routeOf(file, fn)}": require("./${file.path.replace(/\.js$/, "")}").${fn.name},`);
    }
  }
  lines.push("};", "");
  return lines.join("\n");
}

const NODE_ENTRIES = {
  "web.js": `"use strict";
// The public API (Express).
const express = require("express");
const Sentry = require("@sentry/node");
const routes = require("./routes");

const app = express();
app.use(express.json({ limit: "2mb" }));
for (const [name, handler] of Object.entries(routes)) {
  app.post(\`/api/\${name}\`, (req, res) => {
    const result = handler(req.body);
    res.json({ ok: true, result: result === undefined ? null : String(result).slice(0, 80) });
  });
}
Sentry.setupExpressErrorHandler(app);
app.use((err, req, res, next) => {
  res.status(500).json({ ok: false });
});
module.exports = app;
`,
  "koa.js": `"use strict";
// The partner API (Koa).
const Koa = require("koa");
const Sentry = require("@sentry/node");
const routes = require("./routes");

function readBody(req) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    req.on("data", (chunk) => chunks.push(chunk));
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

const app = new Koa();
app.silent = true;
Sentry.setupKoaErrorHandler(app);
app.use(async (ctx, next) => {
  ctx.state.payload = JSON.parse((await readBody(ctx.req)) || "{}");
  await next();
});
app.use(async (ctx) => {
  const handler = routes[ctx.path.replace(/^\\/partner\\//, "")];
  if (!handler) ctx.throw(404);
  const result = handler(ctx.state.payload);
  ctx.body = { ok: true, result: result === undefined ? null : String(result).slice(0, 80) };
});
module.exports = app;
`,
  "plain.js": `"use strict";
// The internal RPC endpoint (node:http).
const http = require("node:http");
const Sentry = require("@sentry/node");
const routes = require("./routes");

function handle(req, res, body) {
  const handler = routes[req.url.replace(/^\\/rpc\\//, "")];
  try {
    const result = handler(JSON.parse(body));
    res.writeHead(200, { "content-type": "application/json" });
    res.end(JSON.stringify({ ok: true, result: result === undefined ? null : String(result).slice(0, 80) }));
  } catch (err) {
    Sentry.captureException(err);
    res.writeHead(500);
    res.end();
  }
}

module.exports = http.createServer((req, res) => {
  const chunks = [];
  req.on("data", (chunk) => chunks.push(chunk));
  req.on("end", () => handle(req, res, Buffer.concat(chunks).toString("utf8")));
});
`,
  "worker.js": `"use strict";
// Background jobs (worker_threads): each job runs one operation.
const { parentPort, workerData } = require("node:worker_threads");
require(workerData.setup);
const Sentry = require("@sentry/node");
const routes = require("./routes");

parentPort.on("message", async (job) => {
  globalThis.__mineTrigger = job.trigger;
  try {
    routes[job.route](job.input);
    parentPort.postMessage({ ok: true });
  } catch (err) {
    Sentry.captureException(err);
    await Sentry.flush(3000);
    parentPort.postMessage({ ok: false });
  }
});
`,
  "cli.js": `"use strict";
// The admin command line: \`cli <route> <json>\`.
const Sentry = require("@sentry/node");
const routes = require("./routes");

function runCommand(route, json) {
  const handler = routes[route];
  return handler(JSON.parse(json));
}

function main(argv) {
  try {
    runCommand(argv[0], argv[1]);
    return 0;
  } catch (err) {
    Sentry.captureException(err);
    return 1;
  }
}

module.exports = { main };
`,
};

const BROWSER_ENTRY = `"use strict";
// The page's script: widgets call the application's operations. @sentry/browser is loaded
// before it as its own script (the vendor chunk, window.Sentry).
const Sentry = window.Sentry;
const routes = require("./routes");

Sentry.init({
  dsn: __DSN__,
  release: __RELEASE__,
  environment: "production",
  beforeSend(event) {
    event.tags = { ...(event.tags || {}), mine_trigger: String(window.__mineTrigger) };
    return event;
  },
});

// The run button: the test browser clicks it for real (a trusted input event).
let pending = null;
const button = document.createElement("button");
button.id = "run";
button.textContent = "Run";
button.addEventListener("click", function handleClick() {
  const job = pending;
  pending = null;
  routes[job.route](job.input);
});
document.body.appendChild(button);

function onClick(route, input) {
  pending = { route, input };
}

function onTimer(route, input) {
  setTimeout(function runLater() {
    routes[route](input);
  }, 0);
}

async function loadAndRun(route, input) {
  await new Promise((resolve) => setTimeout(resolve, 0));
  return routes[route](input);
}

function onPromise(route, input) {
  setTimeout(function startLoading() {
    loadAndRun(route, input);
  }, 0);
}

function onCaught(route, input) {
  setTimeout(function submitForm() {
    try {
      routes[route](input);
    } catch (err) {
      Sentry.captureException(err);
    }
  }, 0);
}

const ENTRIES = { click: onClick, timer: onTimer, promise: onPromise, caught: onCaught };
window.__mineFire = function fire(trigger, entry, route, input) {
  window.__mineTrigger = trigger;
  ENTRIES[entry](route, input);
};
`;

function render(name, release, outDir) {
  const spec = load(name);
  const versions = versionsOf(spec, release);
  const app = path.join(outDir, "app");
  fs.rmSync(app, { recursive: true, force: true });
  for (const file of spec.files) {
    const target = path.join(app, file.path);
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.writeFileSync(target, fileText(spec, file, release, versions));
  }
  fs.writeFileSync(path.join(app, "routes.js"), routesText(spec));
  if (spec.platform === "node") {
    for (const [file, text] of Object.entries(NODE_ENTRIES)) fs.writeFileSync(path.join(app, file), text);
  } else {
    fs.writeFileSync(path.join(app, "main.js"), BROWSER_ENTRY);
    fs.writeFileSync(path.join(app, "vendor.js"), 'window.Sentry = require("@sentry/browser");\n');
  }
  return { app, versions };
}

module.exports = { load, render, routeOf, versionsOf, major };

if (require.main === module) {
  const [name, release, outDir] = process.argv.slice(2);
  if (release === "--info") {
    const spec = load(name);
    process.stdout.write(JSON.stringify({ name: spec.name, platform: spec.platform, libs: spec.libs }) + "\n");
    process.exit(0);
  }
  const { versions } = render(name, Number(release), outDir);
  process.stdout.write(JSON.stringify(versions) + "\n");
}
