// Billing: amounts (big.js) and exchange and interest rates (decimal.js).
"use strict";
module.exports = {
  name: "billing",
  platform: "node",
  libs: { "big.js": ["5.2.2", "6.1.1", "6.2.2", "7.0.1"], "decimal.js": ["10.2.1", "10.3.1", "10.4.3", "10.6.0"] },
  files: [
    {
      path: "money/amounts.js",
      imports: () => ['const Big = require("big.js");'],
      functions: [
        {
          name: "parseAmount",
          fields: { amount: "decimal" },
          good: { amount: "12.50" },
          body: () => ["return new Big(input.amount).toFixed(2);"],
        },
        {
          name: "splitBill",
          fields: { amount: "decimal", parts: "divisor" },
          good: { amount: "100", parts: "3" },
          body: () => ["const share = new Big(input.amount).div(input.parts);", "return share.toFixed(2);"],
        },
        {
          name: "roundTotal",
          fields: { places: "places" },
          good: { places: 2 },
          body: () => ['return new Big("12.345").round(input.places).toString();'],
        },
        {
          name: "addTax",
          fields: { rate: "decimal" },
          good: { rate: "0.2" },
          body: () => ['return new Big("80").times(input.rate).plus("80").toFixed(2);'],
        },
      ],
    },
    {
      path: "money/rates.js",
      imports: () => ['const Decimal = require("decimal.js");'],
      functions: [
        {
          name: "parseRate",
          fields: { rate: "decimal" },
          good: { rate: "1.0825" },
          body: () => ["return new Decimal(input.rate).toFixed(4);"],
        },
        {
          name: "compound",
          fields: { rate: "decimal", years: "places" },
          good: { rate: "0.05", years: 3 },
          body: () => ["const growth = new Decimal(input.rate).plus(1).pow(input.years);", "return growth.toFixed(input.years);"],
        },
        {
          name: "significant",
          fields: { digits: "places" },
          good: { digits: 3 },
          body: () => ['return new Decimal("3.14159").toSignificantDigits(input.digits).toString();'],
        },
        {
          name: "convert",
          fields: { amount: "decimal", fx: "divisor" },
          good: { amount: "10", fx: "1.1" },
          body: () => ["return Decimal.div(input.amount, input.fx).toFixed(2);"],
        },
      ],
    },
  ],
};
