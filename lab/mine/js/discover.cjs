// Finds the faults of one release: calls every application function with every family of bad
// input on every field (samples n = 1..4) and records what each try threw and where (the
// innermost frame with a file: inside a library or in the application). No SDK here.
// usage: node discover.cjs CODEBASE RELEASE OUTDIR  (OUTDIR holds the rendered app/)
"use strict";
const path = require("node:path");
const fs = require("node:fs");
const { load, routeOf } = require("./render.cjs");
const { familiesFor, inputFor, MISSING } = require("./families.cjs");

const SAMPLES = [1, 2, 3, 4];

function crashOf(err, appDir) {
  // V8's formatted frames: "at fn (file:line:col)" or "at file:line:col".
  for (const line of String(err.stack).split("\n").slice(1)) {
    const m = line.match(/^\s*at (?:(.*?) \()?(.*?):(\d+):(\d+)\)?$/);
    if (!m || !m[2] || m[2].startsWith("node:") || !m[2].includes("/")) continue;
    // code compiled with eval (an EJS template): "eval at compile (/…/ejs.js:652:12), <anonymous>"
    const file = m[2].replace(/^eval at [^(]*\((.*?):\d+:\d+\).*$/, "$1");
    const inApp = !file.includes("/node_modules/");
    const rel = inApp ? path.relative(appDir, file) : file.slice(file.lastIndexOf("/node_modules/") + 14);
    return { file: rel, function: m[1] || "", lineno: Number(m[3]), colno: Number(m[4]), inApp };
  }
  return null;
}

function attempt(fn, input, appDir) {
  try {
    fn(input);
    return { threw: false };
  } catch (err) {
    if (!(err instanceof Error) && !(err && typeof err.stack === "string")) {
      return { threw: true, usable: false, name: typeof err };
    }
    const crash = crashOf(err, appDir);
    return {
      threw: true,
      usable: crash !== null,
      name: err.name || (err.constructor && err.constructor.name) || "Error",
      message: String(err.message).slice(0, 300),
      crash,
    };
  }
}

function main() {
  const [name, release, outDir] = process.argv.slice(2);
  const spec = load(name);
  const appDir = path.resolve(outDir, "app");
  const tries = [];
  for (const file of spec.files) {
    const mod = require(path.join(appDir, file.path));
    for (const fn of file.functions) {
      const route = routeOf(file, fn);
      const good = attempt(mod[fn.name], fn.good, appDir);
      if (good.threw) tries.push({ route, field: null, family: "good", n: 0, ...good });
      for (const [field, kind] of Object.entries(fn.fields)) {
        for (const [family, make] of Object.entries(familiesFor(kind))) {
          for (const n of SAMPLES) {
            const value = make(n);
            const input = inputFor(fn.good, field, value);
            const result = attempt(mod[fn.name], input, appDir);
            tries.push({ route, field, family, n, input, missing: value === MISSING, ...result });
          }
        }
      }
    }
  }
  fs.writeFileSync(path.join(outDir, "discovered.json"), JSON.stringify({ codebase: name, release: Number(release), tries }));
}

main();
