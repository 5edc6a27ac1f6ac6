// A configuration service: YAML documents in (yaml and js-yaml), settings out.
"use strict";
module.exports = {
  name: "configsvc",
  platform: "node",
  libs: { yaml: ["1.10.2", "2.2.2", "2.5.1", "2.8.1"], "js-yaml": ["3.14.1", "4.0.0", "4.1.0", "4.1.0"] },
  files: [
    {
      path: "config/settings.js",
      imports: () => ['const YAML = require("yaml");'],
      functions: [
        {
          name: "loadSettings",
          fields: { text: "yaml" },
          good: { text: "server:\n  port: 8080\n  host: example" },
          body: () => ["const doc = YAML.parse(input.text);", "return `${doc.server.host}:${doc.server.port}`;"],
        },
        {
          name: "mergeOverrides",
          fields: { base: "yaml", override: "yaml" },
          good: { base: "a: 1\nb: 2", override: "b: 3" },
          body: () => [
            "const base = YAML.parse(input.base);",
            "const override = YAML.parse(input.override);",
            "return Object.keys({ ...base, ...override }).length;",
          ],
        },
        {
          name: "listFeatures",
          fields: { text: "yaml" },
          good: { text: "features:\n  - search\n  - export" },
          body: () => ["const doc = YAML.parse(input.text);", 'return doc.features.map((f) => f.toUpperCase()).join(",");'],
        },
        {
          name: "renderSettings",
          fields: { settings: "json" },
          good: { settings: { port: 1, tags: ["a"] } },
          body: () => ["return YAML.stringify(input.settings).trim().split(\"\\n\").length;"],
        },
      ],
    },
    {
      path: "config/documents.js",
      imports: (v, major) => ['const YAML = require("yaml");'],
      functions: [
        {
          name: "readDocument",
          fields: { source: "yaml" },
          good: { source: "kind: service\nname: api" },
          body: (v, major) =>
            major(v.yaml) >= 2
              ? ["const doc = YAML.parseDocument(input.source);", "if (doc.errors.length) throw doc.errors[0];", "return doc.get(\"kind\").toLowerCase();"]
              : ["const doc = YAML.parseDocument(input.source);", "if (doc.errors.length) throw doc.errors[0];", "return doc.get(\"kind\").toLowerCase();"],
        },
        {
          name: "countDocuments",
          fields: { stream: "yaml" },
          good: { stream: "a: 1\n---\nb: 2" },
          body: () => ["const docs = YAML.parseAllDocuments(input.stream);", "return docs.map((d) => d.toJSON()).filter(Boolean).length;"],
        },
      ],
    },
    {
      path: "legacy/loader.js",
      imports: () => ['const jsyaml = require("js-yaml");'],
      functions: [
        {
          name: "loadLegacy",
          fields: { text: "yaml" },
          good: { text: "name: legacy\nport: 1" },
          body: (v, major) =>
            major(v["js-yaml"]) >= 4
              ? ["const doc = jsyaml.load(input.text);", "return doc.name.length;"]
              : ["const doc = jsyaml.safeLoad(input.text);", "return doc.name.length;"],
        },
        {
          name: "loadStrict",
          fields: { text: "yaml" },
          good: { text: "name: legacy\nport: 1" },
          body: () => ['const doc = jsyaml.load(input.text, { json: false, filename: "strict.yml" });', "return Object.keys(doc).length;"],
        },
        {
          name: "loadAll",
          fields: { text: "yaml" },
          good: { text: "a: 1\n---\nb: 2" },
          body: () => ["const docs = [];", "jsyaml.loadAll(input.text, (doc) => docs.push(doc));", "return docs.length;"],
        },
        {
          name: "dumpLegacy",
          fields: { value: "json" },
          good: { value: { a: 1 } },
          body: () => ['return jsyaml.dump(input.value, { skipInvalid: false, flowLevel: 1 }).length;'],
        },
      ],
    },
  ],
};
