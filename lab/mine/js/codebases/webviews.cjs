// Server-rendered pages: customer templates rendered with EJS (2.x → 3.x: compiled functions
// rewritten, `rethrow` moved, strict mode and `localsName` checks) behind a session cookie
// (cookie 0.4 → 1.0: serialize's argument checks reworded and tightened, parse's string check).
"use strict";
module.exports = {
  name: "webviews",
  platform: "node",
  libs: { ejs: ["2.7.4", "3.1.6", "3.1.9", "3.1.10"], cookie: ["0.4.2", "0.5.0", "0.7.2", "1.0.2"] },
  files: [
    {
      path: "views/pages.js",
      imports: () => ['const ejs = require("ejs");'],
      functions: [
        {
          name: "renderPage",
          fields: { template: "ejs" },
          good: { template: "<h1><%= user.name %></h1>" },
          body: () => ["return ejs.render(input.template, { user: { name: \"ann\" } });"],
        },
        {
          name: "renderList",
          fields: { items: "json" },
          good: { items: [{ name: "a" }] },
          body: () => [
            "const page = \"<ul><% items.forEach(function (i) { %><li><%= i.name.toUpperCase() %></li><% }) %></ul>\";",
            "return ejs.render(page, { items: input.items });",
          ],
        },
        {
          name: "compileStrict",
          fields: { template: "ejs" },
          good: { template: "<p><%= data.user.name %></p>" },
          body: () => ["return ejs.compile(input.template, { strict: true, localsName: \"data\" })({ user: { name: \"ann\" } });"],
        },
      ],
    },
    {
      path: "views/session.js",
      imports: () => ['const cookie = require("cookie");'],
      functions: [
        {
          name: "sessionCookie",
          fields: { name: "cookieName", value: "word" },
          good: { name: "sid", value: "abc123" },
          body: () => ["return cookie.serialize(input.name, input.value, { httpOnly: true, maxAge: 3600 });"],
        },
        {
          name: "cookieOptions",
          fields: { maxAge: "digits", sameSite: "word", domain: "word" },
          good: { maxAge: 60, sameSite: "lax", domain: "example.com" },
          body: () => ["return cookie.serialize(\"sid\", \"x\", { maxAge: input.maxAge, sameSite: input.sameSite, domain: input.domain });"],
        },
        {
          name: "readSession",
          fields: { header: "cookieHeader" },
          good: { header: "sid=abc; theme=dark" },
          body: () => ["return cookie.parse(input.header).sid.trim();"],
        },
      ],
    },
  ],
};
