// A data importer: CSV uploads (csv-parse; its sync API moved module between 4.x and 5.x) and
// query-string filters (qs).
"use strict";
module.exports = {
  name: "importer",
  platform: "node",
  libs: { "csv-parse": ["4.16.3", "5.3.0", "5.5.6", "6.1.0"], qs: ["6.9.7", "6.11.0", "6.13.0", "6.14.0"] },
  files: [
    {
      path: "imports/csv.js",
      imports: (v, major) =>
        major(v["csv-parse"]) >= 5 ? ['const { parse } = require("csv-parse/sync");'] : ['const parse = require("csv-parse/lib/sync");'],
      functions: [
        {
          name: "importRows",
          fields: { csv: "csv" },
          good: { csv: "id,name\n1,a\n" },
          body: () => ["return parse(input.csv, { columns: true }).length;"],
        },
        {
          name: "importStrict",
          fields: { csv: "csv" },
          good: { csv: "id,name\n1,a\n" },
          body: () => ["const rows = parse(input.csv, { columns: true, skip_empty_lines: true });", "return rows.map((r) => r.name.trim()).join(\";\");"],
        },
        {
          name: "importRaw",
          fields: { csv: "csv", delimiter: "word" },
          good: { csv: "id;name\n1;a\n", delimiter: ";" },
          body: () => ["return parse(input.csv, { delimiter: input.delimiter }).length;"],
        },
        {
          name: "importTyped",
          fields: { csv: "csv" },
          good: { csv: "id,name\n1,a\n" },
          body: () => ["const rows = parse(input.csv, { cast: true, columns: true });", "return rows[0].id.toFixed(1);"],
        },
      ],
    },
    {
      path: "imports/filters.js",
      imports: () => ['const qs = require("qs");'],
      functions: [
        {
          name: "parseFilters",
          fields: { query: "query" },
          good: { query: "a[b]=1&c=2" },
          body: () => [
            "const filters = qs.parse(input.query, { depth: 3, strictDepth: true, parameterLimit: 100, throwOnLimitExceeded: true });",
            "return Object.keys(filters).length;",
          ],
        },
        {
          name: "parseSort",
          fields: { query: "query" },
          good: { query: "sort=a,b" },
          body: () => ['return qs.parse(input.query).sort.split(",").length;'],
        },
        {
          name: "parseCharset",
          fields: { charset: "word" },
          good: { charset: "utf-8" },
          body: () => ['return Object.keys(qs.parse("a=%E9", { charset: input.charset })).length;'],
        },
        {
          name: "buildLink",
          fields: { params: "json", format: "word" },
          good: { params: { a: 1 }, format: "RFC3986" },
          body: () => ["return qs.stringify(input.params, { format: input.format }).length;"],
        },
      ],
    },
  ],
};
