"""The stockroom service's source, per release: an inventory and ordering service whose faults are
in its own code (no library call sits at a crash). `files(release)` returns {path: text} for
app/; releases refactor as a team does: functions renamed, moved to another module, a module
split, a helper extracted, lines inserted, messages reworded, and the reports module turned into
an ES module (loaded with require(esm)) from release 3."""

# ruff: noqa: E501  (the service's JavaScript source keeps its own line lengths)

from __future__ import annotations

from lab.mine.js.service import join

CHANGELOG = [
    "// 1.1.0: first release of the stockroom service",
    "// 1.2.0: catalog filters renamed, discount lookup extracted, stock summary window",
    "// 1.3.0: catalog and tax split out, reports as an ES module",
    "// 1.4.0: reservations renamed, order queries moved, supplier names optional",
]


def header(release: int, path: str, esm: bool = False) -> list[str]:
    lines = [] if esm else ['"use strict";']
    lines.append(f"// stockroom: {path}")
    lines.extend(CHANGELOG[:release])
    return lines


ERRORS = """
class AppError extends Error {
  constructor(message, options) {
    super(message, options);
    this.name = this.constructor.name;
  }
}
class NotFoundError extends AppError {}
class ValidationError extends AppError {}
class ConflictError extends AppError {}
class ServiceError extends AppError {}

module.exports = { AppError, NotFoundError, ValidationError, ConflictError, ServiceError };
"""

STORE = """
// The service's data as the database returns it: fresh objects on every read.
const ITEMS = [
  { sku: "SKU-1001", name: "Steel shelf 90cm", price: 4999, supplier: { name: "Acme" }, tags: ["shelving", "steel"], dims: "90x40x180",
    stock: { main: { onHand: 12 }, east: { onHand: 3 } } },
  { sku: "SKU-1002", name: "Pallet jack", price: 38900, supplier: { name: "Lift&Co" }, tags: ["handling"], dims: "160x55x120",
    stock: { main: { onHand: 4 }, west: { onHand: 1 } } },
  { sku: "SKU-1003", name: "Bin label roll", price: 650, tags: ["labels", "consumables"], dims: "10x10x8",
    stock: { main: { onHand: 140 }, east: { onHand: 60 }, west: { onHand: 25 } } },
  { sku: "SKU-1004", name: "Stretch wrap", price: 1890, supplier: { name: "Wrapit" }, tags: ["consumables"], dims: "50x12x12",
    stock: { main: { onHand: 30 } } },
  { sku: "SKU-1005", name: "Safety gloves", price: 799, supplier: { name: "Acme" }, tags: ["safety"], dims: "25x12x3",
    stock: { main: { onHand: 75 }, west: { onHand: 9 } } },
];

const ORDERS = [
  { id: 1001, status: "open", customer: { email: "ops@northwind.example" }, total: 12990, currency: "EUR" },
  { id: 1002, status: "shipped", customer: { email: "buyer@contoso.example" }, total: 38900, currency: "USD" },
  { id: 1003, status: "cancelled", customer: { email: "it@fabrikam.example" }, total: 650, currency: "GBP" },
  { id: 1004, status: "open", customer: { email: "stores@tailspin.example" }, total: 5697, currency: "EUR" },
  { id: 1005, status: "delivered", customer: { email: "admin@litware.example" }, total: 1890, currency: "USD" },
];

function copy(value) {
  return JSON.parse(JSON.stringify(value));
}

function allItems() {
  return copy(ITEMS);
}

async function fetchItem(sku) {
  await null;
  return copy(ITEMS.find((item) => item.sku === sku) || null);
}

async function fetchOrder(id) {
  await null;
  return copy(ORDERS.find((order) => order.id === Number(id)) || null);
}

module.exports = { allItems, fetchItem, fetchOrder };
"""

LOG = """
// Structured logs (kept quiet in production).
function debug(event, fields) {
  if (process.env.STOCKROOM_DEBUG) process.stderr.write(JSON.stringify({ event, ...fields }) + "\\n");
}

module.exports = { debug };
"""


def catalog_get_item(release: int) -> str:
    missing = ("`no item with SKU ${input.sku}`" if release >= 4 else "`item ${input.sku} not found`")
    return join(
        "async function getItem(input) {",
        ['  log.debug("catalog.item", { sku: input.sku });'] if release >= 2 else [],
        "  const item = await store.fetchItem(input.sku);",
        f"  if (!item) throw new NotFoundError({missing});",
        "  return { sku: item.sku, name: item.name, price: item.price };",
        "}",
        "",
        "function unitBySerial(input) {",
        "  const serial = BigInt(input.serial);",
        ["  // serials are printed on the unit label as base-36"] if release >= 3 else [],
        "  return { serial: serial.toString(36).toUpperCase(), batch: Number(serial % 1000n) };",
        "}",
    )


def catalog_search(release: int) -> str:
    name = "findItems" if release >= 2 else "searchItems"
    var = "filters" if release >= 2 else "query"
    supplier = ("(item) => item.supplier?.name?.toLowerCase() === wanted" if release >= 4
                else "(item) => item.supplier.name.toLowerCase() === wanted")
    return join(
        f"function {name}({var}) {{",
        "  let items = store.allItems();",
        ['  log.debug("catalog.search", { keys: Object.keys(' + var + ") });"]
        if release >= 2 else [],
        f"  if ({var}.tags) {{",
        f"    const tags = {var}.tags.map((tag) => tag.toLowerCase());",
        "    items = items.filter((item) => tags.every((tag) => item.tags.includes(tag)));",
        "  }",
        f"  if ({var}.supplier) {{",
        f"    const wanted = String({var}.supplier).toLowerCase();",
        f"    items = items.filter({supplier});",
        "  }",
        f"  if ({var}.maxPrice) items = items.filter((item) => item.price <= Number({var}.maxPrice));",
        "  return items.map((item) => item.sku).join(\",\");",
        "}",
    )


def catalog_files(release: int) -> dict[str, str]:
    requires = ['const store = require("../lib/store");',
                'const { NotFoundError } = require("../lib/errors");']
    if release >= 2:
        requires.append('const log = require("../lib/log");')
    if release <= 2:
        name = "findItems" if release >= 2 else "searchItems"
        return {"catalog/items.js": join(
            header(release, "catalog/items.js"), requires, "",
            catalog_get_item(release), "", catalog_search(release), "",
            f"module.exports = {{ getItem, unitBySerial, {name} }};")}
    return {
        "catalog/lookup.js": join(header(release, "catalog/lookup.js"), requires, "",
                                  catalog_get_item(release), "",
                                  "module.exports = { getItem, unitBySerial };"),
        "catalog/search.js": join(header(release, "catalog/search.js"), requires[0], requires[2],
                                  "", catalog_search(release), "",
                                  "module.exports = { findItems };"),
    }


def inventory_file(release: int) -> str:
    name = "reserveUnits" if release >= 4 else "reserveStock"
    short = ("`not enough stock for ${item.sku} (${onHand} < ${qty})`" if release >= 3
             else "`insufficient stock for ${item.sku}: ${onHand} on hand, ${qty} requested`")
    return join(
        header(release, "inventory/stock.js"),
        'const store = require("../lib/store");',
        'const { NotFoundError, ValidationError, ConflictError } = require("../lib/errors");',
        ['const log = require("../lib/log");'] if release >= 2 else [],
        "",
        "function checkQuantity(qty) {",
        '  if (!Number.isInteger(qty) || qty <= 0) throw new ValidationError("quantity must be a positive integer");',
        "  return qty;",
        "}",
        "",
        f"async function {name}(input) {{",
        "  const qty = checkQuantity(input.qty);",
        "  const item = await store.fetchItem(input.sku);",
        "  if (!item) throw new NotFoundError(`item ${input.sku} not found`);",
        '  const warehouse = input.warehouse || "main";',
        ['  log.debug("stock.reserve", { sku: item.sku, warehouse, qty });'] if release >= 2 else [],
        "  const onHand = item.stock[warehouse].onHand;",
        f"  if (onHand < qty) throw new ConflictError({short});",
        "  return { sku: item.sku, warehouse, reserved: qty, left: onHand - qty };",
        "}",
        "",
        f"module.exports = {{ {name} }};",
    )


def pricing_file(release: int) -> dict[str, str]:
    discount = (["  const percent = discountFor(input.discountCode);"] if release >= 2 else
                ["  const percent = input.discountCode ? DISCOUNTS[input.discountCode].percent : 0;"])
    tax_call = "taxFor" if release >= 3 else "computeTax"
    tax_var = "taxRule" if release >= 4 else "rule"
    tax = join(
        "const TAX_RULES = {",
        "  DE: (net) => Math.round(net * 0.19),",
        "  FR: (net) => Math.round(net * 0.2),",
        "  GB: (net) => Math.round(net * 0.2),",
        "  US: () => 0,",
        "};",
        "",
        f"function {tax_call}(country, net) {{",
        f"  const {tax_var} = TAX_RULES[country];",
        f"  return {tax_var}(net);",
        "}",
    )
    head = [
        'const store = require("../lib/store");',
        'const { NotFoundError } = require("../lib/errors");',
    ]
    if release >= 3:
        head.append('const { taxFor } = require("./tax");')
    body = join(
        "const DISCOUNTS = { SPRING10: { percent: 10 }, STAFF: { percent: 25 }, BULK5: { percent: 5 } };",
        "",
        "function formatMoney(cents, currency) {",
        '  const format = new Intl.NumberFormat("en-US", { style: "currency", currency });',
        "  return format.format(cents / 100);",
        "}",
        "",
        join("function discountFor(code) {",
             "  if (!code) return 0;",
             "  return DISCOUNTS[code].percent;",
             "}", "") if release >= 2 else [],
        tax if release < 3 else [],
        "" if release < 3 else [],
        "async function priceOrder(input) {",
        "  let net = 0;",
        "  for (const line of input.lines || []) {",
        "    const item = await store.fetchItem(line.sku);",
        "    if (!item) throw new NotFoundError(`item ${line.sku} not found`);",
        "    net += item.price * (line.qty || 1);",
        "  }",
        discount,
        "  net = Math.round(net * (100 - percent)) / 100;",
        f"  const gross = net + {tax_call}(input.country || \"DE\", net);",
        "  const shown = (gross / 100).toFixed(input.precision ?? 2);",
        "  return `${formatMoney(gross, input.currency)} (${shown})`;",
        "}",
        "",
        "module.exports = { priceOrder, formatMoney };",
    )
    files = {"orders/pricing.js": join(header(release, "orders/pricing.js"), head, "", body)}
    if release >= 3:
        files["orders/tax.js"] = join(header(release, "orders/tax.js"), "", tax, "",
                                      f"module.exports = {{ {tax_call} }};")
    return files


def orders_files(release: int) -> dict[str, str]:
    missing = ("`order ${input.id} does not exist`" if release >= 2 else "`order ${input.id} not found`")
    get_name = "findOrder" if release >= 4 else "getOrder"
    get_order = join(
        f"async function {get_name}(input) {{",
        "  const order = await store.fetchOrder(input.id);",
        f"  if (!order) throw new NotFoundError({missing});",
        "  return { id: order.id, status: order.status, total: order.total };",
        "}",
    )
    orders = join(
        header(release, "orders/orders.js"),
        'const store = require("../lib/store");',
        'const { NotFoundError, ValidationError, ConflictError } = require("../lib/errors");',
        ['const log = require("../lib/log");'] if release >= 2 else [],
        ['const { findOrder } = require("./queries");'] if release >= 4 else [],
        "",
        "async function createOrder(input) {",
        "  const email = input.customer.email.toLowerCase();",
        ['  log.debug("orders.create", { email });'] if release >= 2 else [],
        "  const lines = input.lines.map((line) => {",
        '    if (!Number.isInteger(line.qty) || line.qty <= 0) throw new ValidationError("quantity must be a positive integer");',
        "    return { sku: String(line.sku), qty: line.qty };",
        "  });",
        "  return { email, lines: lines.length };",
        "}",
        "",
        get_order if release < 4 else [],
        "" if release < 4 else [],
        "async function cancelOrder(input) {",
        f"  const order = await {get_name}(input);",
        '  if (order.status !== "open") throw new ConflictError(`order ${order.id} is already ${order.status}`);',
        '  return { id: order.id, status: "cancelled" };',
        "}",
        "",
        f"module.exports = {{ createOrder, {get_name}, cancelOrder }};",
    )
    files = {"orders/orders.js": orders}
    if release >= 4:
        files["orders/queries.js"] = join(
            header(release, "orders/queries.js"),
            'const store = require("../lib/store");',
            'const { NotFoundError } = require("../lib/errors");', "", get_order, "",
            "module.exports = { findOrder };")
    return files


def shipping_file(release: int) -> str:
    return join(
        header(release, "shipping/labels.js"),
        'const { ValidationError } = require("../lib/errors");',
        "",
        "// Shipping zones fall back to their parent region's zone.",
        "const ZONES = { DE: 1, FR: 1, NL: 1, GB: 2, US: 3, CA: 3 };",
        'const PARENT = { AT: "DE", BE: "NL", IE: "GB", GI: "GB-OT", "GB-OT": "GI", MX: "US", JE: "GB" };',
        "",
        "function zoneFor(country) {",
        "  if (ZONES[country]) return ZONES[country];",
        "  if (!PARENT[country]) return 9; // rest of the world",
        ['  // overseas territories resolve through their parent'] if release >= 2 else [],
        "  return zoneFor(PARENT[country]);",
        "}",
        "",
        "function parseDimensions(input) {",
        ['  const dims = input.dims ?? "";'] if release >= 4 else ["  const dims = input.dims;"],
        '  const parts = dims.split("x").map((part) => {',
        "    const value = Number(part);",
        "    if (!Number.isFinite(value) || value <= 0) throw new ValidationError(`invalid dimension \"${part}\"`);",
        "    return value;",
        "  });",
        ["  // volume in litres, rounded up"] if release >= 3 else [],
        "  return { zone: zoneFor(input.country), volume: Math.ceil(parts.reduce((a, b) => a * b, 1) / 1000) };",
        "}",
        "",
        "function buildLabel(input) {",
        "  const shipTo = input.shipTo || {};",
        ["  const name = shipTo.name || \"Receiving\";"] if release >= 3 else [],
        '  const address = shipTo.lines.join("\\n");',
        "  return `${input.orderId}\\n${address}\\nzone ${zoneFor(shipTo.country)}`;",
        "}",
        "",
        "module.exports = { parseDimensions, buildLabel };",
    )


def suppliers_file(release: int) -> str:
    return join(
        header(release, "suppliers/feeds.js"),
        'const { ServiceError } = require("../lib/errors");',
        "",
        "function importFeed(input) {",
        "  try {",
        "    const feed = JSON.parse(input.feed);",
        "    let count = 0;",
        "    feed.items.forEach((entry) => {",
        "      count += Number(entry.qty) || 0;",
        "    });",
        "    return { supplier: input.supplier, count };",
        "  } catch (cause) {",
        "    throw new ServiceError(`supplier feed ${input.supplier} rejected`, { cause });",
        "  }",
        "}",
        "",
        "module.exports = { importFeed };",
    )


def settings_file(release: int) -> str:
    return join(
        header(release, "config/settings.js"),
        "",
        "function applySettings(input) {",
        ['  const text = String(input.text ?? "{}");',
         "  const settings = JSON.parse(text);"] if release >= 3
        else ["  const settings = JSON.parse(input.text);"],
        "  const limits = Object.entries(settings.limits).map(([key, value]) => `${key}=${value}`);",
        "  return limits.join(\";\");",
        "}",
        "",
        "module.exports = { applySettings };",
    )


def reports_file(release: int) -> dict[str, str]:
    esm = release >= 3
    path = "reports/reports.mjs" if esm else "reports/reports.js"
    imports = (['import store from "../lib/store.js";'] if esm
               else ['const store = require("../lib/store");'])
    summarize = join(
        "export function summarize(input) {" if esm else "function summarize(input) {",
        "  const days = new Array(input.days);",
        "  days.fill(0);",
        "  return `${days.length} days`;",
        "}",
    ) if release >= 2 else []
    exported = "stockChart, exportCsv" + (", summarize" if release >= 2 else "")
    fn = "export function" if esm else "function"
    return {path: join(
        header(release, path, esm), imports, "",
        f"{fn} stockChart(input) {{",
        '  const warehouse = input.warehouse || "main";',
        "  const adjustments = input.adjustments || {};",
        "  return store.allItems().map((item) => {",
        "    const onHand = (item.stock[warehouse] || { onHand: 0 }).onHand + (adjustments[item.sku] || 0);",
        '    return `${item.sku} ${"#".repeat(onHand)}`;',
        '  }).join("\\n");',
        "}",
        "",
        f"{fn} exportCsv(input) {{",
        '  const rows = input.rows || [];',
        '  return rows.map((row) => [row.sku, row.name.replace(/"/g, "\'"), row.qty].join(",")).join("\\n");',
        "}",
        "",
        summarize,
        "" if release >= 2 else [],
        [] if esm else [f"module.exports = {{ {exported} }};"],
    )}


def routes_file(release: int) -> str:
    catalog = "./catalog/items" if release <= 2 else None
    search = ("searchItems" if release == 1 else "findItems")
    reports = "./reports/reports.mjs" if release >= 3 else "./reports/reports"
    lines = [*header(release, "routes.js"),
             "// Every operation the service exposes, by route.",
             "Error.stackTraceLimit = 50; // whole traces in error reports (the default keeps 10 frames)",
             "const catalog = require(\"./catalog/items\");" if catalog else
             "const catalog = { ...require(\"./catalog/lookup\"), ...require(\"./catalog/search\") };",
             'const stock = require("./inventory/stock");',
             'const orders = require("./orders/orders");',
             'const pricing = require("./orders/pricing");',
             'const shipping = require("./shipping/labels");',
             'const suppliers = require("./suppliers/feeds");',
             'const settings = require("./config/settings");',
             f'const reports = require("{reports}");',
             "",
             "module.exports = {",
             '  "catalog/item": catalog.getItem,',
             '  "catalog/unit": catalog.unitBySerial,',
             f'  "catalog/search": catalog.{search},',
             f'  "stock/reserve": stock.{"reserveUnits" if release >= 4 else "reserveStock"},',
             '  "orders/create": orders.createOrder,',
             f'  "orders/get": orders.{"findOrder" if release >= 4 else "getOrder"},',
             '  "orders/cancel": orders.cancelOrder,',
             '  "orders/quote": pricing.priceOrder,',
             '  "shipping/dimensions": shipping.parseDimensions,',
             '  "shipping/label": shipping.buildLabel,',
             '  "suppliers/import": suppliers.importFeed,',
             '  "admin/settings": settings.applySettings,',
             '  "reports/chart": reports.stockChart,',
             '  "reports/csv": reports.exportCsv,',
             *(['  "reports/summary": reports.summarize,'] if release >= 2 else []),
             "};"]
    return join(lines)


WEB = """
const express = require("express");
const Sentry = require("@sentry/node");
const routes = require("./routes");

function asyncHandler(handler) {
  return (req, res, next) => {
    Promise.resolve()
      .then(() => handler(req.body))
      .then((result) => res.json({ ok: true, result: result === undefined ? null : result }))
      .catch(next);
  };
}

const app = express();
app.use(express.json({ limit: "1mb" }));
for (const [name, handler] of Object.entries(routes)) {
  app.post(`/api/${name}`, asyncHandler(handler));
}
Sentry.setupExpressErrorHandler(app);
app.use((err, req, res, next) => {
  res.status(err.name === "NotFoundError" ? 404 : 500).json({ ok: false, error: err.name });
});
module.exports = app;
"""

KOA = """
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
  const result = await handler(ctx.state.payload);
  ctx.body = { ok: true, result: result === undefined ? null : result };
});
module.exports = app;
"""

PLAIN = """
const http = require("node:http");
const Sentry = require("@sentry/node");
const routes = require("./routes");

// RPC calls are queued and run by one consumer on the timer queue, one at a time.
const queue = [];
let draining = false;

async function drain() {
  draining = true;
  while (queue.length) {
    const job = queue.shift();
    try {
      const result = await routes[job.route](job.input);
      job.done(200, { ok: true, result: result === undefined ? null : result });
    } catch (err) {
      Sentry.captureException(err);
      job.done(500, { ok: false });
    }
  }
  draining = false;
}

function enqueue(route, input) {
  return new Promise((resolve) => {
    queue.push({ route, input, done: (status, body) => resolve({ status, body }) });
    if (!draining) setTimeout(drain, 0);
  });
}

module.exports = http.createServer((req, res) => {
  const chunks = [];
  req.on("data", (chunk) => chunks.push(chunk));
  req.on("end", async () => {
    const route = req.url.replace(/^\\/rpc\\//, "");
    const { status, body } = await enqueue(route, JSON.parse(Buffer.concat(chunks).toString("utf8")));
    res.writeHead(status, { "content-type": "application/json" });
    res.end(JSON.stringify(body));
  });
});
"""

WORKER = """
const { parentPort, workerData } = require("node:worker_threads");
require(workerData.setup);
const Sentry = require("@sentry/node");
const routes = require("./routes");

async function runJob(job) {
  return routes[job.route](job.input);
}

parentPort.on("message", async (job) => {
  globalThis.__mineTrigger = job.trigger;
  try {
    await runJob(job);
    parentPort.postMessage({ ok: true });
  } catch (err) {
    Sentry.captureException(err);
    await Sentry.flush(3000);
    parentPort.postMessage({ ok: false });
  }
});
"""

CLI = """
const Sentry = require("@sentry/node");
const routes = require("./routes");

async function runCommand(route, json) {
  const handler = routes[route];
  if (!handler) throw new Error(`unknown command ${route}`);
  return handler(JSON.parse(json));
}

async function main(argv) {
  try {
    await runCommand(argv[0], argv[1]);
    return 0;
  } catch (err) {
    Sentry.captureException(err);
    return 1;
  }
}

module.exports = { main };
"""


def files(release: int) -> dict[str, str]:
    """Every file of app/ in release `release` (1–4)."""
    out = {
        "lib/errors.js": join(header(release, "lib/errors.js"), "", ERRORS),
        "lib/store.js": join(header(release, "lib/store.js"), "", STORE),
        "inventory/stock.js": inventory_file(release),
        "shipping/labels.js": shipping_file(release),
        "suppliers/feeds.js": suppliers_file(release),
        "config/settings.js": settings_file(release),
        "routes.js": routes_file(release),
        "web.js": join(header(release, "web.js"), WEB),
        "koa.js": join(header(release, "koa.js"), KOA),
        "plain.js": join(header(release, "plain.js"), PLAIN),
        "worker.js": join(header(release, "worker.js"), WORKER),
        "cli.js": join(header(release, "cli.js"), CLI),
    }
    if release >= 2:
        out["lib/log.js"] = join(header(release, "lib/log.js"), "", LOG)
    out.update(catalog_files(release))
    out.update(pricing_file(release))
    out.update(orders_files(release))
    out.update(reports_file(release))
    return out
