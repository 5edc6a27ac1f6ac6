// A documentation site: pages (marked) and comments (markdown-it).
"use strict";
module.exports = {
  name: "docsite",
  platform: "node",
  libs: { marked: ["4.3.0", "9.1.6", "12.0.2", "15.0.12"], "markdown-it": ["10.0.0", "12.3.2", "13.0.2", "14.1.0"] },
  files: [
    {
      path: "site/pages.js",
      imports: () => ['const { marked } = require("marked");'],
      functions: [
        {
          name: "renderPage",
          fields: { source: "markdown" },
          good: { source: "# Title\n\ntext" },
          body: () => ["return marked.parse(input.source).length;"],
        },
        {
          name: "renderTitle",
          fields: { source: "markdown" },
          good: { source: "**Title**" },
          body: () => ["return marked.parseInline(input.source).trim();"],
        },
        {
          name: "outline",
          fields: { source: "markdown" },
          good: { source: "# A\n## B" },
          body: () => ['return marked.lexer(input.source).filter((t) => t.type === "heading").map((t) => t.text.trim()).join("/");'],
        },
        {
          name: "renderWith",
          fields: { options: "json" },
          good: { options: { gfm: true } },
          body: () => ['return marked.parse("# x", input.options).length;'],
        },
      ],
    },
    {
      path: "site/comments.js",
      imports: () => ['const MarkdownIt = require("markdown-it");'],
      prelude: () => ["const md = new MarkdownIt();"],
      functions: [
        {
          name: "renderComment",
          fields: { body: "markdown" },
          good: { body: "*hi*" },
          body: () => ["return md.render(input.body);"],
        },
        {
          name: "renderSnippet",
          fields: { body: "markdown" },
          good: { body: "`x`" },
          body: () => ["return md.renderInline(input.body).trim();"],
        },
        {
          name: "countTokens",
          fields: { body: "markdown" },
          good: { body: "a\n\nb" },
          body: () => ["return md.parse(input.body, {}).length;"],
        },
        {
          name: "withPreset",
          fields: { preset: "word" },
          good: { preset: "commonmark" },
          body: () => ['return new MarkdownIt(input.preset).render("*x*");'],
        },
      ],
    },
  ],
};
