// A small shop front end, bundled and minified by esbuild per release (tests/jsbuild.py).
import * as Sentry from "@sentry/browser";
import { checkout } from "./cart.js";

Sentry.init({ dsn: __DSN__, release: __RELEASE__, environment: "test" });

window.runCheckout = function runCheckout(items) {
  try {
    return checkout(items);
  } catch (error) {
    Sentry.captureException(error);
    return null;
  }
};
window.flushSentry = () => Sentry.flush(10000);
