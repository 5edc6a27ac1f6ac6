// A mailer: message bodies (mustache) and layouts (handlebars).
"use strict";
module.exports = {
  name: "mailer",
  platform: "node",
  libs: { mustache: ["2.3.2", "3.2.1", "4.0.1", "4.2.0"], handlebars: ["4.1.2", "4.5.3", "4.7.7", "4.7.8"] },
  files: [
    {
      path: "mail/body.js",
      imports: () => ['const Mustache = require("mustache");'],
      functions: [
        {
          name: "renderBody",
          fields: { template: "template", view: "json" },
          good: { template: "Hi {{name}}", view: { name: "Ann" } },
          body: () => ["return Mustache.render(input.template, input.view);"],
        },
        {
          name: "renderSubject",
          fields: { subject: "template" },
          good: { subject: "Order {{id}}" },
          body: () => ['return Mustache.render(input.subject, { id: 7, name: "Ann" }).trim();'],
        },
        {
          name: "parseTemplate",
          fields: { template: "template" },
          good: { template: "{{#items}}{{.}}{{/items}}" },
          body: () => ["return Mustache.parse(input.template).length;"],
        },
      ],
    },
    {
      path: "mail/layouts.js",
      imports: () => ['const Handlebars = require("handlebars");'],
      functions: [
        {
          name: "renderLayout",
          fields: { layout: "template" },
          good: { layout: "<p>{{name}}</p>" },
          body: () => ['const template = Handlebars.compile(input.layout);', 'return template({ name: "Ann", items: [1, 2] });'],
        },
        {
          name: "precompileLayout",
          fields: { layout: "template" },
          good: { layout: "<p>{{name}}</p>" },
          body: () => ["return Handlebars.precompile(input.layout).length;"],
        },
        {
          name: "renderStrict",
          fields: { layout: "template" },
          good: { layout: "<p>{{name}}</p>" },
          body: () => ['return Handlebars.compile(input.layout, { strict: true })({ name: "Ann" });'],
        },
        {
          name: "renderFooter",
          fields: { footer: "template" },
          good: { footer: "<small>{{year}}</small>" },
          body: () => ['Handlebars.registerPartial("footer", input.footer);', 'return Handlebars.compile("{{> footer}}")({ year: 2024 });'],
        },
      ],
    },
  ],
};
