// @sentry/node reporting errors from an esbuild bundle (tests/helpers/jsbuild.py build_names_bundle).
import * as Sentry from "@sentry/node";
import handleOrder from "./orders.js";
// __PADDING__

Sentry.init({ dsn: process.env.FAULTLINE_DSN, release: __RELEASE__, environment: "test" });

function runScenario(kind, request) {
  try {
    handleOrder(kind, request); // frame:function:runScenario
  } catch (error) {
    Sentry.captureException(error);
  }
}

async function main() {
  runScenario("stock", { sku: "nope" }); // frame:async:main
  runScenario("price", { code: "bad" }); // frame:async:main
  runScenario("total", { items: null }); // frame:async:main
  await Sentry.flush(15000);
}

main();
