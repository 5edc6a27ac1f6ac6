// Faults that an official @sentry/browser release reports with its default options
// (tests/slow/test_sdk_versions.py). esbuild bundles it once per release, the import aliased to
// that release's package (`--alias:@sentry/browser=sentry-browser-7`, tests/js/sdk-versions).
// window.handleRequest: one fault (a TypeError in Order.total) with any input, through a handler
// that captures it, or another fault (a TypeError in quantityLabel); window.runJob: the first
// fault from a queued job, uncaught (the SDK's global handler reports it).
import * as Sentry from "@sentry/browser";

Sentry.init({ dsn: __DSN__, release: __RELEASE__, environment: "test" });

class Order {
  constructor(lines) {
    this.lines = lines;
  }

  total() {
    return this.lines.reduce((sum, line) => sum + line.price.amount * line.quantity, 0);
  }
}

function checkout(order) {
  return Math.round(order.total() * 100) / 100;
}

function quantityLabel(line) {
  return `quantity: ${line.quantity.toFixed(0)}`;
}

const handlers = { checkout, quantity: quantityLabel };

function handleRequest(request) {
  try {
    return handlers[request.route](request.body);
  } catch (error) {
    Sentry.captureException(error);
    return null;
  }
}

function runJob(job) {
  return handlers[job.name](job.payload);
}

window.checkoutRequest = (price) =>
  handleRequest({ route: "checkout", body: new Order([{ price, quantity: 2 }]) });
window.quantityRequest = () => handleRequest({ route: "quantity", body: { quantity: "7" } });
window.queueCheckout = () =>
  setTimeout(() => runJob({ name: "checkout", payload: new Order([{ quantity: 1 }]) }), 0);
window.flushSentry = () => Sentry.flush(10000);
