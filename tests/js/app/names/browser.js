// @sentry/browser reporting errors from an esbuild bundle (tests/helpers/jsbuild.py build_names_bundle).
import * as Sentry from "@sentry/browser";
import handleOrder from "./orders.js";
// __PADDING__

Sentry.init({ dsn: __DSN__, release: __RELEASE__, environment: "test" });

function runScenario(kind, request) {
  try {
    handleOrder(kind, request); // frame:function:runScenario
  } catch (error) {
    Sentry.captureException(error);
  }
}

window.runScenarios = function runScenarios() {
  runScenario("stock", { sku: "nope" }); // frame:assigned:window.runScenarios
  runScenario("price", { code: "bad" }); // frame:assigned:window.runScenarios
  runScenario("total", { items: null }); // frame:assigned:window.runScenarios
  return Sentry.flush(10000);
};
