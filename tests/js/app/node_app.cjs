// Errors reported by the real @sentry/node (tests/slow/test_node_sdk.py). Usage:
//   FAULTLINE_DSN=... node node_app.cjs <handled|message|cause|burst|rejection|uncaught>
const { fork } = require("node:child_process");
const Sentry = require("@sentry/node");

const scenario = process.argv[2];
Sentry.init({
  dsn: process.env.FAULTLINE_DSN,
  release: "node-shop@1.0.0",
  environment: "test",
  // The SDK keeps at most 64 requests in flight by default and drops the rest on its side;
  // the burst sends 200 before the first reply can arrive.
  transportOptions: { bufferSize: 256 },
});

function chargeCard(amount) {
  if (amount <= 0) throw new RangeError(`amount must be positive, got ${amount}`);
  return amount;
}

async function main() {
  switch (scenario) {
    case "handled":
      try {
        chargeCard(0);
      } catch (error) {
        Sentry.captureException(error);
      }
      break;
    case "message":
      Sentry.captureMessage("Payment provider is slow", "warning");
      break;
    case "cause":
      try {
        try {
          JSON.parse("{not json");
        } catch (inner) {
          throw new Error("could not load the cart", { cause: inner });
        }
      } catch (error) {
        Sentry.captureException(error);
      }
      break;
    case "burst":
      for (let i = 0; i < 200; i += 1) {
        Sentry.captureException(new Error(`burst error number ${i}`));
      }
      break;
    case "rejection":
      Promise.reject(new TypeError("rejected while saving the order"));
      await new Promise((resolve) => setTimeout(resolve, 200));
      break;
    case "uncaught": {
      const child = fork(__filename, ["uncaught-child"], { env: process.env, stdio: "inherit" });
      const code = await new Promise((resolve) => child.on("exit", resolve));
      console.log(`child exited with ${code}`);
      break;
    }
    case "uncaught-child":
      setTimeout(() => {
        throw new Error("uncaught in the worker child");
      }, 10);
      return;
    default:
      throw new Error(`unknown scenario ${scenario}`);
  }
  await Sentry.flush(15000);
}

main();
