// A sign-up page: field checks (validator) and the form's schema (zod), bundled for the browser.
"use strict";
module.exports = {
  name: "signup-web",
  platform: "javascript",
  libs: { validator: ["12.2.0", "13.7.0", "13.11.0", "13.15.15"], zod: ["3.20.6", "3.22.4", "3.23.8", "3.24.2"] },
  files: [
    {
      path: "signup/fields.js",
      // one module per check, as a bundle-size-minded page imports them
      imports: () => [
        'const isEmail = require("validator/lib/isEmail");',
        'const normalizeEmail = require("validator/lib/normalizeEmail");',
        'const isMobilePhone = require("validator/lib/isMobilePhone").default;',
        'const isPostalCode = require("validator/lib/isPostalCode").default;',
        'const isAlphanumeric = require("validator/lib/isAlphanumeric").default;',
      ],
      functions: [
        {
          name: "emailOk",
          fields: { email: "email" },
          good: { email: "ann@example.com" },
          body: () => ["return isEmail(input.email);"],
        },
        {
          name: "canonicalEmail",
          fields: { email: "email" },
          good: { email: "Ann@Example.com" },
          body: () => ["return normalizeEmail(input.email).split(\"@\")[1];"],
        },
        {
          name: "phoneOk",
          fields: { phone: "word", locale: "word" },
          good: { phone: "+33612345678", locale: "fr-FR" },
          body: () => ["return isMobilePhone(input.phone, input.locale);"],
        },
        {
          name: "passwordHasSymbol",
          fields: { password: "word" },
          good: { password: "Aa1!aaaaaa" },
          body: () => ['return !isAlphanumeric(input.password, "en-US");'],
        },
        {
          name: "postcodeOk",
          fields: { code: "word", country: "word" },
          good: { code: "75001", country: "FR" },
          body: () => ["return isPostalCode(input.code, input.country);"],
        },
      ],
    },
    {
      path: "signup/form.js",
      imports: () => ['const { z } = require("zod");'],
      prelude: () => ["const Form = z.object({ name: z.string().min(2), age: z.number().int().nonnegative(), email: z.string().email() });"],
      functions: [
        {
          name: "submitForm",
          fields: { record: "record" },
          good: { record: { name: "ann", age: 3, email: "a@b.co" } },
          body: () => ["return Form.parse(input.record).email;"],
        },
        {
          name: "checkDraft",
          fields: { record: "record" },
          good: { record: { name: "ann", age: 3, email: "a@b.co" } },
          body: () => ["const result = Form.partial().safeParse(input.record);", "if (!result.success) throw result.error;", "return Object.keys(result.data).length;"],
        },
        {
          name: "readWebsite",
          fields: { url: "word" },
          good: { url: "https://a.example" },
          body: () => ["return z.string().url().parse(input.url).length;"],
        },
        {
          name: "readAge",
          fields: { age: "number" },
          good: { age: "12" },
          body: () => ["return z.coerce.number().int().min(0).parse(input.age);"],
        },
      ],
    },
  ],
};
