// A forms API: sign-up records validated with joi, single fields with validator.
"use strict";
module.exports = {
  name: "formapi",
  platform: "node",
  libs: { joi: ["17.6.0", "17.11.0", "17.13.3", "18.0.1"], validator: ["12.2.0", "13.7.0", "13.11.0", "13.15.15"] },
  files: [
    {
      path: "forms/signup.js",
      imports: () => ['const Joi = require("joi");'],
      prelude: () => [
        "const SIGNUP = Joi.object({",
        "  name: Joi.string().min(2).required(),",
        "  age: Joi.number().integer().min(0),",
        "  email: Joi.string().email(),",
        "});",
      ],
      functions: [
        {
          name: "validateSignup",
          fields: { record: "record" },
          good: { record: { name: "ann", age: 3, email: "a@b.co" } },
          body: () => ["return Joi.attempt(input.record, SIGNUP).name;"],
        },
        {
          name: "validateProfile",
          fields: { record: "record" },
          good: { record: { name: "ann", age: 3, email: "a@b.co" } },
          body: () => ["const { error, value } = SIGNUP.validate(input.record);", "if (error) throw error;", "return value.name;"],
        },
        {
          name: "buildSchema",
          fields: { schema: "schema" },
          good: { schema: { type: "string" } },
          body: () => ["return Joi.build(input.schema).type;"],
        },
        {
          name: "patternRule",
          fields: { pattern: "pattern" },
          good: { pattern: "^[a-z]+$" },
          body: () => ["const rule = Joi.string().pattern(new RegExp(input.pattern));", 'return rule.validate("abc").value;'],
        },
        {
          name: "lengthRule",
          fields: { max: "digits" },
          good: { max: 10 },
          body: () => ['return Joi.string().max(input.max).validate("abc").value;'],
        },
      ],
    },
    {
      path: "forms/fields.js",
      imports: () => ['const validator = require("validator");'],
      functions: [
        {
          name: "checkEmail",
          fields: { email: "email" },
          good: { email: "ann@example.com" },
          body: () => ["return validator.isEmail(input.email);"],
        },
        {
          name: "normalizeEmail",
          fields: { email: "email" },
          good: { email: "Ann@Example.com" },
          body: () => ["return validator.normalizeEmail(input.email).toLowerCase();"],
        },
        {
          name: "checkHomepage",
          fields: { url: "word" },
          good: { url: "https://example.com" },
          body: () => ["return validator.isURL(input.url, { require_protocol: true });"],
        },
        {
          name: "parsePrice",
          fields: { raw: "number" },
          good: { raw: "12.5" },
          body: () => ["return validator.toFloat(input.raw).toFixed(2);"],
        },
        {
          name: "escapeName",
          fields: { name: "word" },
          good: { name: "ann" },
          body: () => ["return validator.escape(input.name).trim();"],
        },
        {
          name: "checkNickname",
          fields: { name: "word", min: "digits" },
          good: { name: "ann", min: 2 },
          body: () => ["return validator.isLength(input.name, { min: input.min });"],
        },
      ],
    },
  ],
};
