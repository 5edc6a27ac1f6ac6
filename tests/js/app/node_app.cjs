// Errors reported by the real @sentry/node (tests/slow/test_node_sdk.py). Usage:
//   FAULTLINE_DSN=... node node_app.cjs
//     <handled|message|cause|burst|rejection|uncaught|entry-points>
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

// One fault reached from two entry points through an operation table, resuming after an await
// that Node's tick queue settles (as streams and sockets settle theirs): V8 puts
// process.processTicksAndRejections between each entry point's frame and listSlots.
async function listSlots(input) {
  await new Promise((resolve) => process.nextTick(resolve));
  const minutes = 8 * 60;
  return new Array(Math.floor(minutes / input.step));
}
const OPERATIONS = { "schedule/listSlots": listSlots };
const operation = (name) => OPERATIONS[name];

async function viaWeb(request) {
  const result = await operation(request.path)(request.body);
  return { status: 200, result };
}

async function viaQueue(job) {
  return await operation(job.name)(job.payload);
}

async function main() {
  switch (scenario) {
    case "entry-points":
      for (const call of [() => viaWeb({ path: "schedule/listSlots", body: { step: -30 } }),
                          () => viaQueue({ name: "schedule/listSlots", payload: { step: 0 } })]) {
        try {
          await call();
        } catch (error) {
          Sentry.captureException(error);
        }
      }
      break;
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
