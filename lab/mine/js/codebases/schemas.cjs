// A schema registry: JSON Schemas compiled with ajv, records checked with zod.
"use strict";
module.exports = {
  name: "schemas",
  platform: "node",
  libs: { ajv: ["6.12.6", "8.6.3", "8.12.0", "8.17.1"], zod: ["3.20.6", "3.22.4", "3.23.8", "3.24.2"] },
  files: [
    {
      path: "registry/jsonschema.js",
      imports: () => ['const Ajv = require("ajv");'],
      prelude: () => ["const ajv = new Ajv({ allErrors: true });", 'const validateUser = ajv.compile({ type: "object", required: ["name"], properties: { name: { type: "string" } } });'],
      functions: [
        {
          name: "compileSchema",
          fields: { schema: "schema" },
          good: { schema: { type: "string" } },
          body: () => ["return typeof new Ajv().compile(input.schema);"],
        },
        {
          name: "checkDocument",
          fields: { doc: "record" },
          good: { doc: { name: "ann" } },
          body: () => ["if (!validateUser(input.doc)) throw new TypeError(ajv.errorsText(validateUser.errors));", "return true;"],
        },
        {
          name: "validateWith",
          fields: { schema: "schema" },
          good: { schema: { type: "number" } },
          body: () => ["return ajv.validate(input.schema, 3);"],
        },
      ],
    },
    {
      path: "registry/records.js",
      imports: () => ['const { z } = require("zod");'],
      prelude: () => ["const User = z.object({ name: z.string().min(2), age: z.number().int().nonnegative(), email: z.string().email() });"],
      functions: [
        {
          name: "parseUser",
          fields: { record: "record" },
          good: { record: { name: "ann", age: 3, email: "a@b.co" } },
          body: () => ["return User.parse(input.record).name;"],
        },
        {
          name: "parseUsers",
          fields: { records: "records" },
          good: { records: [{ name: "ann", age: 3, email: "a@b.co" }] },
          body: () => ["return z.array(User).parse(input.records).length;"],
        },
        {
          name: "coerceAge",
          fields: { age: "number" },
          good: { age: "12" },
          body: () => ["return z.coerce.number().int().parse(input.age);"],
        },
        {
          name: "checkUser",
          fields: { record: "record" },
          good: { record: { name: "ann", age: 3, email: "a@b.co" } },
          body: () => ["const result = User.safeParse(input.record);", "if (!result.success) throw result.error;", "return result.data.name;"],
        },
      ],
    },
  ],
};
