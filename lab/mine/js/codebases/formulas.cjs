// A spreadsheet formula service: cells evaluated with mathjs (`math.eval` became `evaluate` in
// 6.0, the package moved to lib/cjs/ builds and typed-function rewrote its argument errors) and
// sheets stored as JSON5 (json5 1.x → 2.x).
"use strict";
module.exports = {
  name: "formulas",
  platform: "node",
  libs: { mathjs: ["5.10.3", "7.6.0", "11.12.0", "14.5.3"], json5: ["1.0.2", "2.1.3", "2.2.1", "2.2.3"] },
  files: [
    {
      path: "sheets/cells.js",
      imports: (v, major) =>
        major(v.mathjs) >= 6
          ? ['const math = require("mathjs");', "const run = (formula, scope) => math.evaluate(formula, scope);"]
          : ['const math = require("mathjs");', "const run = (formula, scope) => math.eval(formula, scope);"],
      functions: [
        {
          name: "evaluateCell",
          fields: { formula: "formula" },
          good: { formula: "2 * (3 + 4)" },
          body: () => ["return run(input.formula, { rate: 0.2 }).toString();"],
        },
        {
          name: "evaluateRow",
          fields: { formulas: "json" },
          good: { formulas: ["1 + 1", "rate * 10"] },
          body: () => ["const scope = { rate: 0.2 };", "return input.formulas.map((f) => run(f, scope)).join(\";\");"],
        },
        {
          name: "compileCell",
          fields: { formula: "formula" },
          good: { formula: "x ^ 2 + 1" },
          body: (v, major) =>
            major(v.mathjs) >= 6
              ? ["return math.compile(input.formula).evaluate({ x: 2 }).toString();"]
              : ["return math.compile(input.formula).eval({ x: 2 }).toString();"],
        },
        {
          name: "slopeOf",
          fields: { formula: "formula" },
          good: { formula: "x ^ 2 + 3 * x" },
          body: () => ['return math.derivative(input.formula, "x").toString();'],
        },
        {
          name: "roundCell",
          fields: { digits: "places" },
          good: { digits: 2 },
          body: () => ["return math.round(3.14159, input.digits);"],
        },
      ],
    },
    {
      path: "sheets/units.js",
      imports: () => ['const math = require("mathjs");'],
      functions: [
        {
          name: "convertUnit",
          fields: { value: "quantity", unit: "unit" },
          good: { value: "5 cm", unit: "inch" },
          body: () => ["return math.unit(input.value).to(input.unit).toString();"],
        },
        {
          name: "solveSystem",
          fields: { matrix: "matrix" },
          good: { matrix: [[2, 1], [1, 3]] },
          body: () => ["return math.lusolve(input.matrix, [1, 2]).length;"],
        },
        {
          name: "determinant",
          fields: { matrix: "matrix" },
          good: { matrix: [[2, 1], [1, 3]] },
          body: () => ["return math.det(input.matrix);"],
        },
      ],
    },
    {
      path: "sheets/storage.js",
      imports: () => ['const JSON5 = require("json5");'],
      functions: [
        {
          name: "loadSheet",
          fields: { text: "json" },
          good: { text: "{ cells: ['A1', 'B2'], }" },
          body: () => ["return JSON5.parse(input.text).cells.length;"],
        },
        {
          name: "loadStamped",
          fields: { text: "json" },
          good: { text: "{ savedAt: '2024-01-01', title: 'q1' }" },
          body: () => [
            "const sheet = JSON5.parse(input.text, (key, value) => (key.endsWith(\"At\") ? new Date(value).toISOString() : value));",
            "return sheet.title.trim();",
          ],
        },
      ],
    },
  ],
};
