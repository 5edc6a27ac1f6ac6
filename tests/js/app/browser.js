// A small shop front end, bundled and minified by esbuild per release (tests/helpers/jsbuild.py).
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

window.reportWithFeedback = function reportWithFeedback() {
  const eventId = Sentry.withScope((scope) => {
    scope.addAttachment({ filename: "cart.json", data: JSON.stringify({ items: [] }),
                          contentType: "application/json" });
    return Sentry.captureException(new Error("checkout failed with feedback"));
  });
  Sentry.captureFeedback({ message: "The checkout button does nothing", name: "Ada",
                           email: "ada@example.com", associatedEventId: eventId });
  return eventId;
};
