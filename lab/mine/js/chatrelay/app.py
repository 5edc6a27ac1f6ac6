"""The chatrelay service's source, per release: a team chat's rooms, messages, notifications,
incoming webhooks and admin tasks, whose faults are in its own code. `files(release)` returns
{path: text} for app/. 1.2 splits messages.js into messages/post.js and messages/edit.js
(`postMessage` → `sendMessage`), rewords the missing message, adds invite links and an audit
helper; 1.3 rewrites notifications as a `Notifier` class, moves the emoji lookup into
lib/emoji.js (shared by messages and presence), moves hooks/ingest.js to
integrations/webhooks.js, renames `searchMessages` → `findMessages`, and the worker runs jobs
through a new jobs/runner.js; 1.4 renames `joinRoom` → `enterRoom`, extracts `padTitle`,
rewords the muted and retention messages and fixes archived rooms' member lists."""

# ruff: noqa: E501  (the service's JavaScript source keeps its own line lengths)

from __future__ import annotations

from lab.mine.js.service import join

CHANGES = [
    "// 1.1.0 rooms, messages, notify, hooks, admin, presence",
    "// 1.2.0 messages/post + messages/edit (sendMessage), invite links, lib/audit",
    "// 1.3.0 Notifier class, lib/emoji, integrations/webhooks, findMessages, jobs/runner",
    "// 1.4.0 enterRoom, padTitle, reworded muted and retention messages, archived rooms fixed",
]


def head(release: int, path: str) -> list[str]:
    return ["'use strict';", f"// chatrelay/{path}", *CHANGES[:release]]


def only(flag: bool, *lines: str) -> list[str]:
    return list(lines) if flag else []


ERRORS = """
// The errors chatrelay throws on purpose; `name` is the subclass's.
class RelayError extends Error {
  constructor(message, options) {
    super(message, options);
    this.name = this.constructor.name;
  }
}
class NotFoundError extends RelayError {}
class ForbiddenError extends RelayError {}
class ValidationError extends RelayError {}
class DeliveryError extends RelayError {}

module.exports = { RelayError, NotFoundError, ForbiddenError, ValidationError, DeliveryError };
"""

STORE = """
// The service's tables, in memory (Postgres in production); readers get copies.
const ROOMS = [
  { id: 'general', title: 'General', members: ['ana', 'bo', 'cy', 'dan'], banned: ['eve', 'mallory'], muted: ['dan'] },
  { id: 'ops', title: 'Ops on call', members: ['ana', 'dan'], banned: ['bo'], muted: ['cy'] },
  { id: 'random', title: 'Random', members: ['bo', 'cy'], banned: [], muted: ['ana', 'bo'] },
  { id: 'archive-2025', title: 'Archive 2025', members: null, banned: [], muted: [], archived: true },
  { id: 'archive-2024', title: 'Archive 2024', members: null, banned: [], muted: [], archived: true },
];
const USERS = {
  ana: { handle: 'ana', email: 'ana@chat.example', locale: 'en', devices: [{ token: 'apns-9f2c41d07e', settings: '{"sound":"ping"}' }] },
  bo: { handle: 'bo', email: 'bo@chat.example', locale: 'de', devices: [{ token: 'fcm-77ab01c3d4', settings: 'sound=chime' }] },
  cy: { handle: 'cy', email: 'cy@chat.example', locale: 'fr', devices: [{ settings: '{"sound":"none"}' }] },
  dan: { handle: 'dan', email: 'dan@chat.example', locale: 'nl', devices: [{ token: 'fcm-1c0ffee000', settings: '{"sound":"ping"}' }, { token: null, settings: '{}' }] },
  eve: { handle: 'eve', email: 'eve@chat.example', locale: 'en', devices: [{ token: 'apns-00aa11bb22', settings: 'legacy:1' }] },
};
const MESSAGES = [
  { id: 1001n, room: 'general', thread: 't-1', from: 'ana', text: 'deploy at 15:00?', at: '2026-11-02T09:12:00Z' },
  { id: 1002n, room: 'general', thread: 't-1', from: 'bo', text: 'yes, after the standup', at: '2026-11-02T09:14:00Z' },
  { id: 1003n, room: 'ops', thread: 't-2', from: 'dan', text: 'pager is quiet :tada:', at: '2026-11-03T22:40:00Z' },
  { id: 1004n, room: 'random', thread: 't-3', from: 'cy', text: 'lunch?', at: '2026-11-04T11:58:00Z' },
];

const copy = (value) => (value == null ? null : structuredClone(value));

module.exports = {
  room: (id) => copy(ROOMS.find((r) => r.id === id)),
  user: (handle) => copy(USERS[handle]),
  devices: (handle) => copy(USERS[handle]?.devices ?? []),
  message: (id) => copy(MESSAGES.find((m) => m.id === id)),
  messages: () => MESSAGES.map(copy),
  thread: (id) => MESSAGES.filter((m) => m.thread === id).map(copy),
};
"""


def rooms_file(release: int) -> str:
    enter = "enterRoom" if release >= 4 else "joinRoom"
    title = join(
        "function padTitle(title) {",
        "  return title + ' '.repeat(WIDTH - title.length);",
        "}",
        "",
    ) if release >= 4 else []
    banner = ("  const banner = padTitle(input.title.trim());" if release >= 4 else
              "  const title = input.title.trim();\n  const banner = title + ' '.repeat(WIDTH - title.length);")
    members = ("  return (room.members ?? []).slice((page - 1) * 20, page * 20);" if release >= 4 else
               "  return room.members.slice((page - 1) * 20, page * 20);")
    return join(
        head(release, "rooms.js"),
        "const store = require('./store');",
        "const { NotFoundError, ForbiddenError } = require('./errors');",
        only(release >= 2, "const { audit } = require('./lib/audit');"),
        "",
        "const WIDTH = 32; // the room banner's width in the desktop client",
        "",
        "function roomOrFail(id) {",
        "  const room = store.room(id);",
        "  if (!room) throw new NotFoundError(`room ${id} does not exist`);",
        "  return room;",
        "}",
        "",
        title,
        f"function {enter}(input) {{",
        "  const handle = input.user.trim().toLowerCase();",
        "  const room = roomOrFail(input.room);",
        "  if (room.banned.includes(handle)) throw new ForbiddenError('not allowed in this room');",
        only(release >= 2, "  audit('rooms.join', handle, room.id);"),
        "  return { room: room.id, handle };",
        "}",
        "",
        "function renameRoom(input) {",
        "  const room = roomOrFail(input.room);",
        banner,
        "  return { room: room.id, banner };",
        "}",
        "",
        "function listMembers(input) {",
        "  const room = roomOrFail(input.room);",
        "  const page = Number(input.page || 1);",
        members,
        "}",
        "",
        join(
            "function inviteLink(input) {",
            "  const room = roomOrFail(input.room);",
            "  const expires = new Date(Date.now() + input.hours * 3600 * 1000).toISOString();",
            "  audit('rooms.invite', room.id, expires);",
            "  return { room: room.id, link: `https://chat.example/join/${room.id}`, expires };",
            "}",
            "",
        ) if release >= 2 else [],
        f"module.exports = {{ {enter}, renameRoom, listMembers{', inviteLink' if release >= 2 else ''} }};",
    )


EMOJI_TABLE = "const EMOJI = { smile: 0x1f604, thumbsup: 0x1f44d, tada: 0x1f389, eyes: 0x1f440, rocket: 0x1f680 };"


def message_parts(release: int) -> dict[str, list[str] | str]:
    """The blocks of messages.js (1.1) that 1.2 splits into messages/post.js and edit.js."""
    send = "sendMessage" if release >= 2 else "postMessage"
    missing = "`no message ${id}`" if release >= 2 else "`message ${id} not found`"
    find = "findMessages" if release >= 3 else "searchMessages"
    muted = ("`you are muted in ${room.id}`" if release >= 4 else "'not allowed in this room'")
    render = ("  return input.text.replace(/:([a-z_]+):/g, (_, name) => glyph(name));" if release >= 3 else
              "  return input.text.replace(/:([a-z_]+):/g, (_, name) => String.fromCodePoint(EMOJI[name]));")
    post = join(
        f"function {send}(input) {{",
        "  const room = store.room(input.room);",
        "  if (!room) throw new NotFoundError(`room ${input.room} does not exist`);",
        f"  if (room.muted.includes(input.from)) throw new ForbiddenError({muted});",
        "  const size = input.text.length;",
        "  const mentions = input.mentions ? input.mentions.map((m) => m.replace(/^@/, '')) : [];",
        only(release >= 2, "  audit('messages.send', input.from, room.id);"),
        "  return { room: room.id, size, mentions };",
        "}",
        "",
        "function renderMarkdown(input) {",
        render,
        "}",
        "",
        "function summarize(input) {",
        "  const messages = store.thread(input.thread);",
        "  const longest = messages.reduce((a, b) => (b.text.length > a.text.length ? b : a));",
        "  return { thread: input.thread, count: messages.length, longest: String(longest.id) };",
        "}",
    )
    edit = join(
        "// Message ids are 64-bit snowflakes.",
        "function parseId(raw) {",
        "  return BigInt(raw);",
        "}",
        "",
        "function editMessage(input) {",
        "  const id = parseId(input.id);",
        "  const message = store.message(id);",
        f"  if (!message) throw new NotFoundError({missing});",
        only(release >= 2, "  audit('messages.edit', message.from, String(id));"),
        "  return { id: String(id), text: input.text };",
        "}",
        "",
        f"function {find}(input) {{",
        "  const pattern = new RegExp(input.q, input.flags || 'i');",
        "  return store.messages().filter((m) => pattern.test(m.text)).length;",
        "}",
    )
    return {"post": post, "edit": edit, "send": send, "find": find}


def messages_files(release: int) -> dict[str, str]:
    parts = message_parts(release)
    if release == 1:
        return {"messages.js": join(
            head(release, "messages.js"),
            "const store = require('./store');",
            "const { NotFoundError, ForbiddenError } = require('./errors');",
            "",
            EMOJI_TABLE,
            "",
            parts["post"],
            "",
            parts["edit"],
            "",
            "module.exports = { postMessage, renderMarkdown, summarize, parseId, editMessage, searchMessages };",
        )}
    emoji = (["const { glyph } = require('../lib/emoji');"] if release >= 3 else ["", EMOJI_TABLE])
    return {
        "messages/post.js": join(
            head(release, "messages/post.js"),
            "const store = require('../store');",
            "const { NotFoundError, ForbiddenError } = require('../errors');",
            "const { audit } = require('../lib/audit');",
            emoji,
            "",
            parts["post"],
            "",
            f"module.exports = {{ {parts['send']}, renderMarkdown, summarize }};",
        ),
        "messages/edit.js": join(
            head(release, "messages/edit.js"),
            "const store = require('../store');",
            "const { NotFoundError } = require('../errors');",
            "const { audit } = require('../lib/audit');",
            "",
            parts["edit"],
            "",
            f"module.exports = {{ parseId, editMessage, {parts['find']} }};",
        ),
    }


def presence_file(release: int) -> str:
    glyph = ("  const icon = glyph(input.emoji);" if release >= 3
             else "  const icon = String.fromCodePoint(EMOJI[input.emoji]);")
    return join(
        head(release, "presence.js"),
        only(release >= 3, "const { glyph } = require('./lib/emoji');"),
        only(release < 3, EMOJI_TABLE),
        "",
        "function setStatus(input) {",
        glyph,
        "  return { user: input.user, status: `${icon} ${input.text || ''}`.trim() };",
        "}",
        "",
        "module.exports = { setStatus };",
    )


EMOJI_LIB = """
// Slack-style :shortcodes: to characters.
const EMOJI = { smile: 0x1f604, thumbsup: 0x1f44d, tada: 0x1f389, eyes: 0x1f440, rocket: 0x1f680 };

function glyph(name) {
  return String.fromCodePoint(EMOJI[name]);
}

module.exports = { glyph, EMOJI };
"""

AUDIT = """
// The audit trail; kept in memory here, shipped to the SIEM in production.
const trail = [];

function audit(action, ...subjects) {
  trail.push({ action, subjects });
  if (trail.length > 1000) trail.shift();
}

module.exports = { audit };
"""


def notify_files(release: int) -> dict[str, str]:
    if release >= 3:
        return {"notify/notifier.js": join(
            head(release, "notify/notifier.js"),
            "const store = require('../store');",
            "const { DeliveryError } = require('../errors');",
            "",
            "class Notifier {",
            "  constructor(defaultUnit) {",
            "    this.defaultUnit = defaultUnit;",
            "  }",
            "",
            "  digestLine(input) {",
            "    const rules = new Intl.PluralRules(input.locale);",
            "    const span = new Intl.NumberFormat(input.locale, { style: 'unit', unit: input.unit || this.defaultUnit });",
            "    return `${input.count} ${rules.select(input.count) === 'one' ? 'message' : 'messages'} in ${span.format(input.span)}`;",
            "  }",
            "",
            "  push(input) {",
            "    const devices = store.devices(input.user);",
            "    try {",
            "      return devices.map((device) => {",
            "        const settings = JSON.parse(device.settings);",
            "        return { token: device.token.slice(0, 8), sound: settings.sound };",
            "      });",
            "    } catch (cause) {",
            "      throw new DeliveryError(`push to ${input.user} failed`, { cause });",
            "    }",
            "  }",
            "",
            "  email(input) {",
            "    const user = store.user(input.user);",
            "    return { to: user.email, subject: `Your ${input.period} digest` };",
            "  }",
            "}",
            "",
            "const notifier = new Notifier('minute');",
            "module.exports = {",
            "  formatDigest: (input) => notifier.digestLine(input),",
            "  pushToDevice: (input) => notifier.push(input),",
            "  emailDigest: (input) => notifier.email(input),",
            "};",
        )}
    return {"notify.js": join(
        head(release, "notify.js"),
        "const store = require('./store');",
        "const { DeliveryError } = require('./errors');",
        "",
        "function formatDigest(input) {",
        "  const rules = new Intl.PluralRules(input.locale);",
        "  const span = new Intl.NumberFormat(input.locale, { style: 'unit', unit: input.unit || 'minute' });",
        "  return `${input.count} ${rules.select(input.count) === 'one' ? 'message' : 'messages'} in ${span.format(input.span)}`;",
        "}",
        "",
        "function pushToDevice(input) {",
        "  const devices = store.devices(input.user);",
        "  try {",
        "    return devices.map((device) => {",
        "      const settings = JSON.parse(device.settings);",
        "      return { token: device.token.slice(0, 8), sound: settings.sound };",
        "    });",
        "  } catch (cause) {",
        "    throw new DeliveryError(`push to ${input.user} failed`, { cause });",
        "  }",
        "}",
        "",
        "function emailDigest(input) {",
        "  const user = store.user(input.user);",
        "  return { to: user.email, subject: `Your ${input.period} digest` };",
        "}",
        "",
        "module.exports = { formatDigest, pushToDevice, emailDigest };",
    )}


def hooks_file(release: int) -> dict[str, str]:
    path = "integrations/webhooks.js" if release >= 3 else "hooks/ingest.js"
    return {path: join(
        head(release, path),
        "const crypto = require('node:crypto');",
        "",
        "// Shared secrets per source; a source without one is a misconfiguration.",
        "const SECRETS = { github: 'gh-5ecret', gitlab: 'gl-5ecret', sentry: 'se-5ecret' };",
        "",
        "const HANDLERS = {",
        "  push: (event) => ({ repo: event.repository.full_name, commits: event.commits.length }),",
        "  issues: (event) => ({ issue: event.issue.number, action: event.action }),",
        "  ping: (event) => ({ zen: event.zen }),",
        "};",
        "",
        "function verify(input) {",
        "  const mac = crypto.createHmac('sha256', SECRETS[input.source]).update(input.body).digest('hex');",
        "  return mac === input.signature;",
        "}",
        "",
        "function ingest(input) {",
        "  const trusted = verify(input);",
        "  const event = JSON.parse(input.body);",
        "  const handler = HANDLERS[event.type];",
        "  return { trusted, ...handler(event) };",
        "}",
        "",
        "module.exports = { ingest, verify };",
    )}


def admin_file(release: int) -> str:
    retention = ("`retention is ${input.days} days; allowed: 1 to 365`" if release >= 4
                 else "`retention must be 1-365 days, got ${input.days}`")
    return join(
        head(release, "admin.js"),
        "const store = require('./store');",
        "const { ValidationError } = require('./errors');",
        "",
        "// handle;email;locale per line",
        "function importUsers(input) {",
        "  return input.csv.split('\\n').filter(Boolean).map((line) => {",
        "    const cols = line.split(';');",
        "    return { handle: cols[0].trim(), email: cols[1].trim(), locale: cols[2].trim() };",
        "  }).length;",
        "}",
        "",
        "function purge(input) {",
        "  const before = new Date(input.before).toISOString();",
        "  return store.messages().filter((m) => m.at < before).length;",
        "}",
        "",
        "function setRetention(input) {",
        "  const days = Number(input.days);",
        f"  if (!(days >= 1 && days <= 365)) throw new ValidationError({retention});",
        "  return { days };",
        "}",
        "",
        "module.exports = { importUsers, purge, setRetention };",
    )


def routes_file(release: int) -> str:
    post = "./messages/post" if release >= 2 else "./messages"
    edit = "./messages/edit" if release >= 2 else "./messages"
    notify = "./notify/notifier" if release >= 3 else "./notify"
    hooks = "./integrations/webhooks" if release >= 3 else "./hooks/ingest"
    return join(
        head(release, "routes.js"),
        "// Every entry point dispatches `<area>/<action>` through this table.",
        "Error.stackTraceLimit = 40;",
        "const rooms = require('./rooms');",
        f"const post = require('{post}');",
        f"const edit = require('{edit}');" if release >= 2 else [],
        f"const notify = require('{notify}');",
        f"const hooks = require('{hooks}');",
        "const admin = require('./admin');",
        "const presence = require('./presence');",
        "",
        "const ROUTES = {",
        "  rooms: {",
        f"    join: rooms.{'enterRoom' if release >= 4 else 'joinRoom'},",
        "    rename: rooms.renameRoom,",
        "    members: rooms.listMembers,",
        *only(release >= 2, "    invite: rooms.inviteLink,"),
        "  },",
        "  messages: {",
        f"    send: post.{'sendMessage' if release >= 2 else 'postMessage'},",
        f"    edit: {'edit' if release >= 2 else 'post'}.editMessage,",
        f"    search: {'edit' if release >= 2 else 'post'}.{'findMessages' if release >= 3 else 'searchMessages'},",
        "    render: post.renderMarkdown,",
        "    summary: post.summarize,",
        "  },",
        "  notify: { digest: notify.formatDigest, push: notify.pushToDevice, email: notify.emailDigest },",
        "  hooks: { ingest: hooks.ingest },",
        "  admin: { users: admin.importUsers, purge: admin.purge, retention: admin.setRetention },",
        "  presence: { status: presence.setStatus },",
        "};",
        "",
        "function dispatch(route, payload) {",
        "  const [area, action] = route.split('/');",
        "  const handler = ROUTES[area]?.[action];",
        "  if (typeof handler !== 'function') throw new Error(`unknown route ${route}`);",
        "  return handler(payload);",
        "}",
        "",
        "module.exports = { dispatch };",
    )


WEB = """
const express = require('express');
const Sentry = require('@sentry/node');
const { dispatch } = require('./routes');

const app = express();
app.use(express.json({ limit: '256kb' }));
app.post('/api/:area/:action', async (req, res, next) => {
  try {
    const data = await dispatch(`${req.params.area}/${req.params.action}`, req.body);
    res.json({ ok: true, data: data ?? null });
  } catch (err) {
    next(err);
  }
});
Sentry.setupExpressErrorHandler(app);
app.use((err, req, res, next) => res.status(500).json({ ok: false, error: err.name }));
module.exports = app;
"""

KOA = """
const Koa = require('koa');
const Sentry = require('@sentry/node');
const { dispatch } = require('./routes');

// The partner API: the same routes under /partner/, JSON in and out.
const app = new Koa();
app.silent = true;
Sentry.setupKoaErrorHandler(app);
app.use(async (ctx, next) => {
  const chunks = [];
  for await (const chunk of ctx.req) chunks.push(chunk);
  ctx.state.payload = chunks.length ? JSON.parse(Buffer.concat(chunks).toString('utf8')) : {};
  await next();
});
app.use(async (ctx) => {
  const data = await dispatch(ctx.path.replace(/^\\/partner\\//, ''), ctx.state.payload);
  ctx.body = { ok: true, data: data ?? null };
});
module.exports = app;
"""

PLAIN = """
const http = require('node:http');
const Sentry = require('@sentry/node');
const { dispatch } = require('./routes');

// The internal RPC port: one call per request, errors reported here.
module.exports = http.createServer((req, res) => {
  let text = '';
  req.setEncoding('utf8');
  req.on('data', (chunk) => {
    text += chunk;
  });
  req.on('end', async () => {
    try {
      const data = await dispatch(req.url.replace('/rpc/', ''), JSON.parse(text));
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ data: data ?? null }));
    } catch (err) {
      Sentry.captureException(err);
      res.writeHead(500, { 'content-type': 'application/json' }).end(JSON.stringify({ error: err.name }));
    }
  });
});
"""

WORKER = """
const { parentPort, workerData } = require('node:worker_threads');
require(workerData.setup);
const Sentry = require('@sentry/node');
const { dispatch } = require('./routes');

// Queued jobs from the main process, one at a time.
parentPort.on('message', async (job) => {
  globalThis.__mineTrigger = job.trigger;
  let ok = true;
  try {
    await dispatch(job.route, job.input);
  } catch (err) {
    ok = false;
    Sentry.captureException(err);
    await Sentry.flush(3000);
  }
  parentPort.postMessage({ ok });
});
"""

WORKER_RUNNER = """
const { parentPort, workerData } = require('node:worker_threads');
require(workerData.setup);
const { JobRunner } = require('./jobs/runner');

// Queued jobs from the main process, run by the JobRunner (1.3).
const runner = new JobRunner();
parentPort.on('message', async (job) => {
  globalThis.__mineTrigger = job.trigger;
  const ok = await runner.run(job.route, job.input);
  parentPort.postMessage({ ok });
});
"""

RUNNER = """
const Sentry = require('@sentry/node');
const { dispatch } = require('../routes');

// Runs one job: reports its failure with the job's route as a tag, and never throws.
class JobRunner {
  async run(route, input) {
    try {
      await this.perform(route, input);
      return true;
    } catch (err) {
      Sentry.withScope((scope) => {
        scope.setTag('job', route);
        Sentry.captureException(err);
      });
      await Sentry.flush(3000);
      return false;
    }
  }

  perform(route, input) {
    return dispatch(route, input);
  }
}

module.exports = { JobRunner };
"""

CLI = """
const Sentry = require('@sentry/node');
const { dispatch } = require('./routes');

// chatrelay-admin <area/action> '<json>'
async function main(argv) {
  const [route, json] = argv;
  try {
    const data = await dispatch(route, JSON.parse(json));
    process.stdout.write('');
    return data === undefined ? 1 : 0;
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
        "errors.js": join(head(release, "errors.js"), ERRORS),
        "store.js": join(head(release, "store.js"), STORE),
        "rooms.js": rooms_file(release),
        "presence.js": presence_file(release),
        "admin.js": admin_file(release),
        "routes.js": routes_file(release),
        "web.js": join(head(release, "web.js"), WEB),
        "koa.js": join(head(release, "koa.js"), KOA),
        "plain.js": join(head(release, "plain.js"), PLAIN),
        "worker.js": join(head(release, "worker.js"), WORKER_RUNNER if release >= 3 else WORKER),
        "cli.js": join(head(release, "cli.js"), CLI),
    }
    if release >= 2:
        out["lib/audit.js"] = join(head(release, "lib/audit.js"), AUDIT)
    if release >= 3:
        out["lib/emoji.js"] = join(head(release, "lib/emoji.js"), EMOJI_LIB)
        out["jobs/runner.js"] = join(head(release, "jobs/runner.js"), RUNNER)
    out.update(messages_files(release))
    out.update(notify_files(release))
    out.update(hooks_file(release))
    return out
