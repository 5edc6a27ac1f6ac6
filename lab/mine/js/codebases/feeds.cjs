// A feed reader: RSS/XML documents (fast-xml-parser; its API moved from functions to classes
// between 3.x and 4.x, and the application moved with it).
"use strict";
const PARSE = (v, major, validate) =>
  major(v["fast-xml-parser"]) >= 4
    ? `new XMLParser({ ignoreAttributes: false }).parse(input.xml, ${validate})`
    : `fxp.parse(input.xml, { ignoreAttributes: false }, ${validate})`;
module.exports = {
  name: "feeds",
  platform: "node",
  libs: { "fast-xml-parser": ["3.21.1", "4.2.7", "4.5.3", "5.2.5"] },
  files: [
    {
      path: "reader/feed.js",
      imports: (v, major) =>
        major(v["fast-xml-parser"]) >= 4
          ? ['const { XMLParser, XMLValidator } = require("fast-xml-parser");']
          : ['const fxp = require("fast-xml-parser");'],
      functions: [
        {
          name: "parseFeed",
          fields: { xml: "xml" },
          good: { xml: "<rss><channel><title>News</title></channel></rss>" },
          body: (v, major) => [`const feed = ${PARSE(v, major, true)};`, "return feed.rss.channel.title.length;"],
        },
        {
          name: "readItems",
          fields: { xml: "xml" },
          good: { xml: "<items><item><id>1</id></item><item><id>2</id></item></items>" },
          body: (v, major) => [`const doc = ${PARSE(v, major, false)};`, "return doc.items.item.map((i) => i.id).join(\",\");"],
        },
        {
          name: "checkFeed",
          fields: { xml: "xml" },
          good: { xml: "<rss><channel/></rss>" },
          body: (v, major) => [
            `const result = ${major(v["fast-xml-parser"]) >= 4 ? "XMLValidator" : "fxp"}.validate(input.xml);`,
            "if (result !== true) throw new SyntaxError(`invalid feed: ${result.err.msg}`);",
            "return true;",
          ],
        },
        {
          name: "readLink",
          fields: { xml: "xml" },
          good: { xml: '<link href="https://example.com"/>' },
          body: (v, major) => [`const doc = ${PARSE(v, major, true)};`, 'return new URL(doc.link["@_href"]).host;'],
        },
      ],
    },
    {
      path: "reader/opml.js",
      imports: (v, major) =>
        major(v["fast-xml-parser"]) >= 4 ? ['const { XMLParser } = require("fast-xml-parser");'] : ['const fxp = require("fast-xml-parser");'],
      functions: [
        {
          name: "importOutline",
          fields: { xml: "xml" },
          good: { xml: '<opml><body><outline text="a"/></body></opml>' },
          body: (v, major) => [`const doc = ${PARSE(v, major, true)};`, 'return doc.opml.body.outline["@_text"].toUpperCase();'],
        },
      ],
    },
  ],
};
