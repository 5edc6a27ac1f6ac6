// A document store that takes JSON Patch edits (fast-json-patch 2.x → 3.x: the CommonJS build
// moved under commonjs/, JsonPatchError's prototype chain fixed) and JSONPath queries
// (jsonpath-plus 4 → 10: filters evaluated by `vm` until 10 replaced it with its own safe
// evaluator, whose errors and messages differ).
"use strict";
module.exports = {
  name: "docpatch",
  platform: "node",
  libs: { "fast-json-patch": ["2.0.7", "2.2.1", "3.1.0", "3.1.1"], "jsonpath-plus": ["4.0.0", "6.0.1", "7.2.0", "10.3.0"] },
  files: [
    {
      path: "store/edits.js",
      imports: () => [
        'const { applyPatch, validate, getValueByPointer } = require("fast-json-patch");',
        "const load = () => ({ title: \"Doc\", tags: [\"a\", \"b\"], meta: { owner: \"ann\", rev: 3 } });",
      ],
      functions: [
        {
          name: "applyEdits",
          fields: { ops: "patch" },
          good: { ops: [{ op: "replace", path: "/title", value: "New" }] },
          body: () => ["return JSON.stringify(applyPatch(load(), input.ops, true).newDocument);"],
        },
        {
          name: "checkEdits",
          fields: { ops: "patch" },
          good: { ops: [{ op: "add", path: "/tags/-", value: "c" }] },
          body: () => [
            "const error = validate(input.ops, load());",
            "if (error) throw error;",
            "return \"ok\";",
          ],
        },
        {
          name: "fieldAt",
          fields: { pointer: "pointer" },
          good: { pointer: "/meta/owner" },
          body: () => ["return getValueByPointer(load(), input.pointer).toUpperCase();"],
        },
      ],
    },
    {
      path: "store/queries.js",
      imports: () => [
        'const { JSONPath } = require("jsonpath-plus");',
        "const load = () => ({ docs: [{ title: \"a\", rev: 1, tags: [\"x\"] }, { title: \"b\", rev: 4, tags: [] }] });",
      ],
      functions: [
        {
          name: "selectDocs",
          fields: { path: "jsonpath" },
          good: { path: "$.docs[?(@.rev > 2)].title" },
          body: () => ["return JSONPath({ path: input.path, json: load(), wrap: true }).length;"],
        },
        {
          name: "firstTitle",
          fields: { path: "jsonpath" },
          good: { path: "$.docs[0]" },
          body: () => ["return JSONPath({ path: input.path, json: load() })[0].title.toUpperCase();"],
        },
        {
          name: "pointerFor",
          fields: { path: "jsonpath" },
          good: { path: "$.docs[1].title" },
          body: () => ["return JSONPath.toPointer(JSONPath.toPathArray(input.path));"],
        },
      ],
    },
  ],
};
