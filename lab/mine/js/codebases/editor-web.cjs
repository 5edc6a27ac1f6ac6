// A note editor page: markdown preview (marked) and snippets (mustache), bundled for the browser.
"use strict";
module.exports = {
  name: "editor-web",
  platform: "javascript",
  libs: { marked: ["4.3.0", "9.1.6", "12.0.2", "15.0.12"], mustache: ["2.3.2", "3.2.1", "4.0.1", "4.2.0"] },
  files: [
    {
      path: "editor/preview.js",
      imports: () => ['const { marked } = require("marked");'],
      functions: [
        {
          name: "preview",
          fields: { text: "markdown" },
          good: { text: "# Note" },
          body: () => ["return marked.parse(input.text).length;"],
        },
        {
          name: "previewInline",
          fields: { text: "markdown" },
          good: { text: "*x*" },
          body: () => ["return marked.parseInline(input.text).trim();"],
        },
        {
          name: "headings",
          fields: { text: "markdown" },
          good: { text: "# A" },
          body: () => ['return marked.lexer(input.text).find((t) => t.type === "heading").text;'],
        },
        {
          name: "previewWith",
          fields: { options: "json" },
          good: { options: { breaks: true } },
          body: () => ['return marked.parse("a\\nb", input.options).length;'],
        },
      ],
    },
    {
      path: "editor/snippets.js",
      imports: () => ['const Mustache = require("mustache");'],
      functions: [
        {
          name: "expandSnippet",
          fields: { snippet: "template" },
          good: { snippet: "Dear {{name}}" },
          body: () => ['return Mustache.render(input.snippet, { name: "Ann" });'],
        },
        {
          name: "expandWith",
          fields: { snippet: "template", values: "json" },
          good: { snippet: "{{a}}", values: { a: 1 } },
          body: () => ["return Mustache.render(input.snippet, input.values).length;"],
        },
        {
          name: "snippetFields",
          fields: { snippet: "template" },
          good: { snippet: "{{a}} {{b}}" },
          body: () => ['return Mustache.parse(input.snippet).filter((t) => t[0] === "name").length;'],
        },
      ],
    },
  ],
};
