"""The clinicbook service's source, per release: a clinic's appointment, billing, insurance and
reminder service whose faults are in its own code (no library call sits at a crash).
`files(release)` returns {path: text} for app/. Releases refactor the way stockroom's do not:
1.2 renames the booking function and extracts its date parsing, and turns insurance into an ES
module; 1.3 rewrites reminders as a class, moves phone normalising to lib/, extracts the fee
lookup into its own module and renames the patient lookup; 1.4 renames a file, a function and
rewords messages in one copy only, and fixes one bug."""

# ruff: noqa: E501  (the service's JavaScript source keeps its own line lengths)

from __future__ import annotations

from lab.mine.js.service import join

NOTES = [
    "// v1.1.0 first release",
    "// v1.2.0 createBooking (was bookAppointment), parseWhen, insurance as ESM, split invoices",
    "// v1.3.0 ReminderService, lib/phone, billing/fees, getPatient (was lookupPatient)",
    "// v1.4.0 schedule/availability (was schedule/slots), describeSlot, reworded messages",
]


def top(release: int, path: str, esm: bool = False) -> list[str]:
    lines = [f"// clinicbook/{path}"] + NOTES[:release]
    return lines if esm else ["'use strict';", *lines]


def when(flag: bool, *lines: str) -> list[str]:
    return list(lines) if flag else []


ERRORS = """
// Every error the service raises on purpose; the name is the subclass's.
class ClinicError extends Error {
  constructor(message, options) {
    super(message, options);
    this.name = new.target.name;
  }
}

class MissingRecordError extends ClinicError {}
class InvalidRequestError extends ClinicError {}
class SlotTakenError extends ClinicError {}
class ClaimRejectedError extends ClinicError {}

module.exports = { ClinicError, MissingRecordError, InvalidRequestError, SlotTakenError, ClaimRejectedError };
"""

DB = """
// In-memory records, returned as fresh copies as a database driver would.
const PATIENTS = [
  { id: 501, name: "Ada Byrne", phone: "+44 20 7946 0011", born: "1984-03-02", insurer: { name: "Medisure", plan: "gold" } },
  { id: 502, name: "Tomas Krol", phone: "030 1234 567", born: "1991-11-20" },
  { id: 503, name: "Lena Ortiz", phone: "(555) 010-4477", born: "1975-07-14", insurer: { name: "CareOne", plan: "basic" } },
  { id: 504, name: "Yusuf Demir", phone: "0151 555 0199", born: "2001-01-09", insurer: { name: "Medisure", plan: "silver" } },
];
const CLINICIANS = {
  "dr-hale": { name: "Dr Hale", tz: "Europe/London", room: "a1", opens: 8, closes: 17 },
  "dr-imai": { name: "Dr Imai", tz: "Asia/Tokyo", room: "b2", opens: 9, closes: 18 },
  "dr-ruiz": { name: "Dr Ruiz", tz: "America/New_York", opens: 7, closes: 15 },
};
const TAKEN = {
  "dr-hale": ["2027-01-11T09:00", "2027-01-11T10:00", "2027-01-12T11:00"],
  "dr-imai": ["2027-01-12T14:00", "2027-01-13T09:00"],
  "dr-ruiz": ["2027-01-11T07:00"],
};
const FEES = {
  CONSULT: { amount: 6500, vat: 0 },
  FOLLOWUP: { amount: 3500, vat: 0 },
  XRAY: { amount: 12000, vat: 20 },
  VACCINE: { amount: 2500, vat: 0 },
};

const clone = (value) => (value === undefined ? undefined : JSON.parse(JSON.stringify(value)));

module.exports = {
  async patient(id) {
    await null;
    return clone(PATIENTS.find((p) => p.id === Number(id)) ?? null);
  },
  async clinician(key) {
    await null;
    return clone(CLINICIANS[key] ?? null);
  },
  taken: (key) => [...(TAKEN[key] || [])],
  fees: () => clone(FEES),
};
"""


def registry_file(release: int) -> dict[str, str]:
    lookup = "getPatient" if release >= 3 else "lookupPatient"
    missing = "`unknown patient ${id}`" if release >= 4 else "`patient ${id} not found`"
    phone = join(
        "function normalizePhone(input) {",
        '  const digits = input.phone.replace(/[^0-9+]/g, "");',
        '  return digits.startsWith("+") ? digits : `+44${digits.replace(/^0/, "")}`;',
        "}",
    )
    text = join(
        top(release, "patients/registry.js"),
        "const db = require('../db');",
        "const { MissingRecordError, InvalidRequestError } = require('../errors');",
        when(release >= 2, "const { trace } = require('../lib/trace');"),
        when(release >= 3, "const { normalizePhone } = require('../lib/phone');"),
        "",
        f"async function {lookup}(input) {{",
        "  const id = Number(input.id);",
        "  if (!Number.isInteger(id)) throw new InvalidRequestError('patient id must be a number');",
        when(release >= 2, "  trace('patients.get', { id });"),
        "  const patient = await db.patient(id);",
        f"  if (!patient) throw new MissingRecordError({missing});",
        "  return { id: patient.id, name: patient.name, born: patient.born };",
        "}",
        "",
        phone if release < 3 else [],
        "" if release < 3 else [],
        "function registerPatient(input) {",
        "  const name = input.name.trim();",
        when(release >= 2, "  trace('patients.register', { name });"),
        "  const email = input.contact.email.toLowerCase();",
        "  const born = new Date(input.born).toISOString().slice(0, 10);",
        "  return { name, email, born, phone: input.phone ? normalizePhone(input) : null };",
        "}",
        "",
        f"module.exports = {{ {lookup}, normalizePhone, registerPatient }};",
    )
    out = {"patients/registry.js": text}
    if release >= 3:
        out["lib/phone.js"] = join(top(release, "lib/phone.js"), "", "// Phone numbers in E.164-ish form for the SMS gateway.", phone, "", "module.exports = { normalizePhone };")
    return out


def slots_file(release: int) -> dict[str, str]:
    path = "schedule/availability.js" if release >= 4 else "schedule/slots.js"
    describe = "describeSlot" if release >= 4 else "formatSlot"
    return {path: join(
        top(release, path),
        "const db = require('../db');",
        "const { MissingRecordError } = require('../errors');",
        "",
        "async function clinicianOrFail(key) {",
        "  const clinician = await db.clinician(key);",
        "  if (!clinician) throw new MissingRecordError(`clinician ${key} not found`);",
        "  return clinician;",
        "}",
        "",
        "async function listSlots(input) {",
        "  const clinician = await clinicianOrFail(input.clinician);",
        "  const minutes = (clinician.closes - clinician.opens) * 60;",
        when(release >= 3, "  // a slot is `step` minutes long; 30 unless asked"),
        "  const slots = new Array(Math.floor(minutes / (input.step ?? 30)));",
        "  const taken = new Set(db.taken(input.clinician));",
        "  return slots.fill(0).map((_, i) => `${input.day}T${String(clinician.opens + Math.floor((i * (input.step ?? 30)) / 60)).padStart(2, '0')}:00`).filter((s) => !taken.has(s)).length;",
        "}",
        "",
        f"async function {describe}(input) {{",
        "  const clinician = await clinicianOrFail(input.clinician);",
        "  const zone = input.tz || clinician.tz;",
        "  const format = new Intl.DateTimeFormat('en-GB', { timeZone: zone, dateStyle: 'medium', timeStyle: 'short' });",
        when(release >= 2, "  const at = new Date(input.at);"),
        "  return `${clinician.name}, ${format.format(at)}`;" if release >= 2 else "  return `${clinician.name}, ${format.format(new Date(input.at))}`;",
        "}",
        "",
        "async function roomFor(input) {",
        "  const clinician = await clinicianOrFail(input.clinician);",
        "  return `Room ${clinician.room.toUpperCase()} (${clinician.name})`;",
        "}",
        "",
        f"module.exports = {{ listSlots, {describe}, roomFor }};",
    )}


def bookings_file(release: int) -> str:
    book = "createBooking" if release >= 2 else "bookAppointment"
    taken = ("`${input.clinician} is not free at ${slot}`" if release >= 2
             else "`slot ${slot} with ${input.clinician} already taken`")
    bad_id = "'patientId must be an integer'" if release >= 4 else "'patient id must be a number'"
    missing = "`patient ${patientId} not found`"
    parse = join(
        "function parseWhen(value) {",
        "  const [day, time] = value.split('T');",
        "  return `${day}T${time.slice(0, 5)}`;",
        "}",
    )
    return join(
        top(release, "schedule/bookings.js"),
        "const db = require('../db');",
        "const { MissingRecordError, InvalidRequestError, SlotTakenError } = require('../errors');",
        when(release >= 2, "const { trace } = require('../lib/trace');"),
        "",
        parse if release >= 2 else [],
        "" if release >= 2 else [],
        f"async function {book}(input) {{",
        "  const patientId = Number(input.patient.id);",
        f"  if (!Number.isInteger(patientId)) throw new InvalidRequestError({bad_id});",
        "  const patient = await db.patient(patientId);",
        f"  if (!patient) throw new MissingRecordError({missing});",
        "  const slot = parseWhen(input.when);" if release >= 2 else "  const [day, time] = input.when.split('T');",
        [] if release >= 2 else ["  const slot = `${day}T${time.slice(0, 5)}`;"],
        when(release >= 2, "  trace('bookings.create', { patientId, slot });"),
        f"  if (db.taken(input.clinician).includes(slot)) throw new SlotTakenError({taken});",
        "  return { patient: patient.id, clinician: input.clinician, slot };",
        "}",
        "",
        "function cancelAppointment(input) {",
        "  const hours = Math.round((Date.parse(input.slot) - Date.parse(input.now)) / 3600000);",
        when(release >= 3, "  // the clinic's policy: a day's notice"),
        "  if (hours < 24) throw new InvalidRequestError(`cannot cancel less than 24 hours ahead (${hours}h left)`);",
        "  return { cancelled: input.slot };",
        "}",
        "",
        f"module.exports = {{ {book}, cancelAppointment }};",
    )


def billing_files(release: int) -> dict[str, str]:
    fee_line = ("  const fee = feeFor(input.code);" if release >= 3
                else "  const fee = db.fees()[input.code];")
    invoice = join(
        top(release, "billing/invoices.js"),
        "const db = require('../db');",
        "const { MissingRecordError } = require('../errors');",
        when(release >= 3, "const { feeFor } = require('./fees');"),
        "",
        "async function invoiceVisit(input) {",
        "  const patient = await db.patient(input.patientId);",
        "  if (!patient) throw new MissingRecordError(`patient ${input.patientId} not found`);",
        fee_line,
        "  const net = fee.amount * (input.units || 1);",
        "  const gross = net + Math.round((net * fee.vat) / 100);",
        "  return { patient: patient.name, gross: (gross / 100).toPrecision(input.precision || 6) };",
        "}",
        "",
        join(
            "function splitInvoice(input) {",
            "  const share = Math.floor(input.total / input.payers.length);",
            "  return input.payers.map((payer) => `${payer}: ${share}`).join('; ');",
            "}",
            "",
        ) if release >= 2 else [],
        f"module.exports = {{ invoiceVisit{', splitInvoice' if release >= 2 else ''} }};",
    )
    out = {"billing/invoices.js": invoice}
    if release >= 3:
        out["billing/fees.js"] = join(
            top(release, "billing/fees.js"),
            "const db = require('../db');",
            "",
            "// The fee schedule, in cents; VAT in percent.",
            "function feeFor(code) {",
            "  const schedule = db.fees();",
            "  return { amount: schedule[code].amount, vat: schedule[code].vat };",
            "}",
            "",
            "module.exports = { feeFor };",
        )
    return out


def claims_file(release: int) -> dict[str, str]:
    esm = release >= 2
    path = "insurance/claims.mjs" if esm else "insurance/claims.js"
    fixed = release >= 4
    plan = ("  const plan = patient.insurer?.plan ?? 'self-pay';" if fixed
            else "  const plan = patient.insurer.plan;")
    fn = "export async function" if esm else "async function"
    sync = "export function" if esm else "function"
    return {path: join(
        top(release, path, esm),
        ["import db from '../db.js';", "import errors from '../errors.js';",
         "const { ClaimRejectedError, MissingRecordError } = errors;"] if esm else
        ["const db = require('../db');",
         "const { ClaimRejectedError, MissingRecordError } = require('../errors');"],
        "",
        f"{fn} submitClaim(input) {{",
        "  const patient = await db.patient(input.patientId);",
        "  if (!patient) throw new MissingRecordError(`patient ${input.patientId} not found`);",
        "  try {",
        "    const reference = decodeURIComponent(input.ref);",
        plan,
        "    return { reference, plan, amount: input.amount };",
        "  } catch (cause) {",
        "    throw new ClaimRejectedError(`claim ${input.ref} for patient ${patient.id} rejected`, { cause });",
        "  }",
        "}",
        "",
        f"{sync} checkEligibility(input) {{",
        "  const policy = JSON.parse(input.policy);",
        "  return policy.covers.includes(input.code);",
        "}",
        [] if esm else ["", "module.exports = { submitClaim, checkEligibility };"],
    )}


def reminders_file(release: int) -> str:
    if release >= 3:
        return join(
            top(release, "notify/reminders.js"),
            "const { InvalidRequestError } = require('../errors');",
            "",
            "class ReminderService {",
            "  constructor(channels) {",
            "    this.channels = channels;",
            "  }",
            "",
            "  render(input) {",
            "    const vars = input.vars || {};",
            "    const body = input.template.replace(/{{(\\w+)}}/g, (_, key) => vars[key].trim());",
            "    const note = input.note.normalize(input.form || 'NFC');",
            "    return `${body}\\n${note}`;",
            "  }",
            "",
            "  send(input) {",
            "    if (!this.channels.includes(input.channel)) throw new InvalidRequestError(`unsupported channel ${input.channel}`);",
            "    const target = new URL(input.webhook);",
            "    return { channel: input.channel, host: target.host };",
            "  }",
            "}",
            "",
            "const reminders = new ReminderService(['sms', 'email']);",
            "module.exports = { renderReminder: (input) => reminders.render(input), sendReminder: (input) => reminders.send(input) };",
        )
    return join(
        top(release, "notify/reminders.js"),
        "const { InvalidRequestError } = require('../errors');",
        "",
        "const CHANNELS = ['sms', 'email'];",
        "",
        "function renderReminder(input) {",
        "  const vars = input.vars || {};",
        "  const body = input.template.replace(/{{(\\w+)}}/g, (_, key) => vars[key].trim());",
        "  const note = input.note.normalize(input.form || 'NFC');",
        "  return `${body}\\n${note}`;",
        "}",
        "",
        "function sendReminder(input) {",
        "  if (!CHANNELS.includes(input.channel)) throw new InvalidRequestError(`unsupported channel ${input.channel}`);",
        "  const target = new URL(input.webhook);",
        "  return { channel: input.channel, host: target.host };",
        "}",
        "",
        "module.exports = { renderReminder, sendReminder };",
    )


def roster_file(release: int) -> str:
    return join(
        top(release, "admin/roster.js"),
        "",
        "// Nightly roster import: one clinician per CSV line, or a JSON document.",
        "function importRoster(input) {",
        "  if (input.format === 'json') {",
        "    const doc = JSON.parse(input.roster);",
        "    return Object.keys(doc.clinicians).length;",
        "  }",
        "  const rows = String(input.roster).split('\\n').filter(Boolean);",
        "  return rows.map((row) => row.split(',')[2].trim()).length;",
        "}",
        "",
        "module.exports = { importRoster };",
    )


TRACE = """
// Debug tracing; silent unless CLINICBOOK_TRACE is set.
function trace(event, fields) {
  if (process.env.CLINICBOOK_TRACE) console.error(event, JSON.stringify(fields));
}

module.exports = { trace };
"""


def operations_file(release: int) -> str:
    slots = "./schedule/availability" if release >= 4 else "./schedule/slots"
    claims = "./insurance/claims.mjs" if release >= 2 else "./insurance/claims"
    return join(
        top(release, "operations.js"),
        "// The service's operations by name; every entry point dispatches through this table.",
        "Error.stackTraceLimit = 40;",
        "const registry = require('./patients/registry');",
        f"const slots = require('{slots}');",
        "const bookings = require('./schedule/bookings');",
        "const billing = require('./billing/invoices');",
        f"const insurance = require('{claims}');",
        "const reminders = require('./notify/reminders');",
        "const roster = require('./admin/roster');",
        "",
        "const operations = new Map([",
        f"  ['patients/get', registry.{'getPatient' if release >= 3 else 'lookupPatient'}],",
        "  ['patients/phone', registry.normalizePhone],",
        "  ['patients/register', registry.registerPatient],",
        "  ['schedule/slots', slots.listSlots],",
        f"  ['schedule/show', slots.{'describeSlot' if release >= 4 else 'formatSlot'}],",
        "  ['schedule/room', slots.roomFor],",
        f"  ['schedule/book', bookings.{'createBooking' if release >= 2 else 'bookAppointment'}],",
        "  ['schedule/cancel', bookings.cancelAppointment],",
        "  ['billing/invoice', billing.invoiceVisit],",
        *when(release >= 2, "  ['billing/split', billing.splitInvoice],"),
        "  ['insurance/claim', insurance.submitClaim],",
        "  ['insurance/eligibility', insurance.checkEligibility],",
        "  ['notify/render', reminders.renderReminder],",
        "  ['notify/send', reminders.sendReminder],",
        "  ['admin/roster', roster.importRoster],",
        "]);",
        "",
        "function operation(name) {",
        "  const run = operations.get(name);",
        "  if (!run) throw new Error(`no operation ${name}`);",
        "  return run;",
        "}",
        "",
        "module.exports = { operation };",
    )


WEB = """
const express = require('express');
const Sentry = require('@sentry/node');
const { operation } = require('./operations');

const api = express.Router();
api.post('/:area/:action', async (req, res, next) => {
  try {
    const result = await operation(`${req.params.area}/${req.params.action}`)(req.body);
    res.json({ result: result ?? null });
  } catch (err) {
    next(err);
  }
});

const app = express();
app.use(express.json());
app.use('/api', api);
Sentry.setupExpressErrorHandler(app);
app.use((err, req, res, next) => res.status(500).json({ error: err.name }));
module.exports = app;
"""

KOA = """
const Koa = require('koa');
const Sentry = require('@sentry/node');
const { operation } = require('./operations');

async function jsonBody(ctx) {
  let text = '';
  for await (const chunk of ctx.req) text += chunk;
  return text ? JSON.parse(text) : {};
}

const app = new Koa();
app.silent = true;
Sentry.setupKoaErrorHandler(app);
app.use(async (ctx) => {
  const name = ctx.path.slice('/partner/'.length);
  const payload = await jsonBody(ctx);
  ctx.body = { result: (await operation(name)(payload)) ?? null };
});
module.exports = app;
"""

PLAIN = """
const http = require('node:http');
const Sentry = require('@sentry/node');
const { operation } = require('./operations');

// Internal RPC: requests are collected and run together on the next turn of the event loop.
let batch = [];

function runBatch() {
  const calls = batch;
  batch = [];
  return Promise.all(calls.map(async (call) => {
    try {
      call.reply(200, { result: (await operation(call.name)(call.args)) ?? null });
    } catch (err) {
      Sentry.captureException(err);
      call.reply(500, { error: err.name });
    }
  }));
}

function schedule(name, args) {
  return new Promise((reply) => {
    if (batch.length === 0) setImmediate(runBatch);
    batch.push({ name, args, reply: (status, body) => reply([status, body]) });
  });
}

module.exports = http.createServer(async (req, res) => {
  let text = '';
  for await (const chunk of req) text += chunk;
  const [status, body] = await schedule(req.url.replace('/rpc/', ''), JSON.parse(text));
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
});
"""

WORKER = """
const { parentPort, workerData } = require('node:worker_threads');
require(workerData.setup);
const Sentry = require('@sentry/node');
const { operation } = require('./operations');

// Background jobs posted by the main thread, one at a time.
async function perform(job) {
  globalThis.__mineTrigger = job.trigger;
  try {
    await operation(job.route)(job.input);
    return { ok: true };
  } catch (err) {
    Sentry.captureException(err);
    await Sentry.flush(3000);
    return { ok: false };
  }
}

parentPort.on('message', (job) => perform(job).then((reply) => parentPort.postMessage(reply)));
"""

CLI = """
const Sentry = require('@sentry/node');
const { operation } = require('./operations');

// clinicbook-admin <operation> '<json>'
async function main(argv) {
  const [name, json] = argv;
  try {
    await operation(name)(JSON.parse(json));
    return 0;
  } catch (err) {
    Sentry.captureException(err);
    return 2;
  }
}

module.exports = { main };
"""


def files(release: int) -> dict[str, str]:
    """Every file of app/ in release `release` (1–4)."""
    out = {
        "errors.js": join(top(release, "errors.js"), ERRORS),
        "db.js": join(top(release, "db.js"), DB),
        "schedule/bookings.js": bookings_file(release),
        "notify/reminders.js": reminders_file(release),
        "admin/roster.js": roster_file(release),
        "operations.js": operations_file(release),
        "web.js": join(top(release, "web.js"), WEB),
        "koa.js": join(top(release, "koa.js"), KOA),
        "plain.js": join(top(release, "plain.js"), PLAIN),
        "worker.js": join(top(release, "worker.js"), WORKER),
        "cli.js": join(top(release, "cli.js"), CLI),
    }
    if release >= 2:
        out["lib/trace.js"] = join(top(release, "lib/trace.js"), TRACE)
    out.update(registry_file(release))
    out.update(slots_file(release))
    out.update(billing_files(release))
    out.update(claims_file(release))
    return out
