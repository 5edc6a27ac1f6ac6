// Faults that an official @sentry/node release reports with its default options
// (tests/slow/test_sdk_versions.py). Usage:
//   FAULTLINE_DSN=... NODE_PATH=... node versions_app.cjs <sdk package> <captured|uncaught>
// The package is "@sentry/node" (tests/js/package.json) or an alias of an older release
// ("sentry-node-7", tests/js/sdk-versions/package.json).
// captured: one fault (a TypeError in Order.total) with two inputs through a request handler that
// captures it, another fault (a TypeError in quantityLabel), an Error whose cause is a
// SyntaxError, the first fault reached after an await (another call path: its own issue), and a
// TypeError in start-up code at the module's top level;
// uncaught: the first fault reached from a queued job, uncaught (the SDK reports it and the
// process exits with 1).
const Sentry = require(process.argv[2]);

Sentry.init({ dsn: process.env.FAULTLINE_DSN, release: "shop@1.0.0", environment: "test" });

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

function loadCart(text) {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new Error("could not load the cart", { cause: error });
  }
}

async function reprice(order) {
  await new Promise((resolve) => setImmediate(resolve));
  return checkout(order);
}

function listenPort(configText) {
  return JSON.parse(configText).server.port;
}

const handlers = { checkout, quantity: quantityLabel, cart: loadCart };

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

async function main(scenario) {
  if (scenario === "captured") {
    handleRequest({ route: "checkout", body: new Order([{ price: undefined, quantity: 2 }]) });
    handleRequest({ route: "checkout", body: new Order([{ price: null, quantity: 5 }]) });
    handleRequest({ route: "quantity", body: { quantity: "7" } });
    handleRequest({ route: "cart", body: "{not json" });
    try {
      await reprice(new Order([{ price: null, quantity: 1 }]));
    } catch (error) {
      Sentry.captureException(error);
    }
    await Sentry.flush(15000);
  } else if (scenario === "uncaught") {
    setTimeout(() => runJob({ name: "checkout", payload: new Order([{ quantity: 1 }]) }), 10);
  } else {
    throw new Error(`unknown scenario ${scenario}`);
  }
}

if (process.argv[3] === "captured") {
  // at the module's top level, as a script's start-up code runs: V8 names the frame
  // `Object.<anonymous>`, which @sentry/node 7 keeps and 8 and later report as `Object.?`
  try {
    listenPort("{}");
  } catch (error) {
    Sentry.captureException(error);
  }
}

main(process.argv[3]);
