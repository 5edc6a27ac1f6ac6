// A webhook relay: partners register callback routes (path-to-regexp, from Express 4's 0.1.x
// function export to 8.x's parser, whose syntax dropped `?`, `*` and inline groups) and delivery
// schedules (cron-parser, whose 5.x rewrite moved `parseExpression` to `CronExpressionParser`).
"use strict";
module.exports = {
  name: "hookrelay",
  platform: "node",
  libs: { "path-to-regexp": ["0.1.12", "1.9.0", "6.3.0", "8.2.0"], "cron-parser": ["2.18.0", "3.5.0", "4.9.0", "5.3.0"] },
  files: [
    {
      path: "relay/routes.js",
      imports: (v, major) =>
        major(v["path-to-regexp"]) >= 6
          ? ['const { pathToRegexp, match, compile } = require("path-to-regexp");']
          : ['const pathToRegexp = require("path-to-regexp");'],
      functions: [
        {
          name: "registerRoute",
          fields: { pattern: "route" },
          good: { pattern: "/hooks/:partner/:event" },
          body: (v, major) =>
            major(v["path-to-regexp"]) >= 8
              ? ["const { keys } = pathToRegexp(input.pattern);", "return keys.map((k) => k.name).join(\",\");"]
              : ["const keys = [];", "pathToRegexp(input.pattern, keys);", "return keys.map((k) => k.name).join(\",\");"],
        },
        {
          name: "routeDelivery",
          fields: { pattern: "route", path: "word" },
          good: { pattern: "/hooks/:partner", path: "/hooks/acme" },
          body: (v, major) =>
            major(v["path-to-regexp"]) >= 6
              ? ["const found = match(input.pattern, { decode: decodeURIComponent })(input.path);", "return found.params.partner.toLowerCase();"]
              : ["const keys = [];", "const found = pathToRegexp(input.pattern, keys).exec(input.path);", "return found[1].toLowerCase();"],
        },
        {
          name: "callbackUrl",
          fields: { pattern: "route", params: "params" },
          good: { pattern: "/hooks/:id", params: { id: "acme" } },
          body: (v, major) =>
            major(v["path-to-regexp"]) >= 6
              ? ["return compile(input.pattern)(input.params);"]
              : major(v["path-to-regexp"]) >= 1
                ? ["return pathToRegexp.compile(input.pattern)(input.params);"]
                : ["return input.pattern.replace(/:(\\w+)/g, (_, key) => encodeURIComponent(input.params[key].trim()));"],
        },
      ],
    },
    {
      path: "relay/schedules.js",
      imports: (v, major) =>
        major(v["cron-parser"]) >= 5
          ? ['const { CronExpressionParser } = require("cron-parser");', "const parseCron = (text, options) => CronExpressionParser.parse(text, options);"]
          : ['const parser = require("cron-parser");', "const parseCron = (text, options) => parser.parseExpression(text, options);"],
      functions: [
        {
          name: "nextDelivery",
          fields: { cron: "cron" },
          good: { cron: "*/5 * * * *" },
          body: () => ['return parseCron(input.cron, { currentDate: "2024-01-01T00:00:00Z" }).next().toISOString();'],
        },
        {
          name: "nextDeliveryIn",
          fields: { cron: "cron", zone: "zone" },
          good: { cron: "0 9 * * 1-5", zone: "Europe/Berlin" },
          body: () => ['return parseCron(input.cron, { currentDate: "2024-01-01T00:00:00Z", tz: input.zone }).next().toISOString();'],
        },
        {
          name: "retryWindow",
          fields: { cron: "cron", attempts: "digits" },
          good: { cron: "0 * * * *", attempts: 3 },
          body: () => [
            'const it = parseCron(input.cron, { currentDate: "2024-01-01T00:00:00Z", endDate: "2024-01-02T00:00:00Z" });',
            "const runs = [];",
            "for (let i = 0; i < input.attempts; i += 1) runs.push(it.next().toISOString());",
            "return runs.length;",
          ],
        },
        {
          name: "deliveriesSince",
          fields: { since: "date" },
          good: { since: "2024-03-01" },
          body: () => ['return parseCron("0 * * * *", { currentDate: input.since }).next().toISOString();'],
        },
        {
          name: "minuteSlots",
          fields: { cron: "cron" },
          good: { cron: "*/15 * * * *" },
          body: (v, major) =>
            major(v["cron-parser"]) >= 5
              ? ["return parseCron(input.cron).fields.minute.values.length;"]
              : major(v["cron-parser"]) >= 3
                ? ["return parseCron(input.cron).fields.minute.length;"]
                : ["return parseCron(input.cron)._fields.minute.length;"],
        },
      ],
    },
  ],
};
