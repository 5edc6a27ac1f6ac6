// A shop's checkout page: prices (big.js) and delivery dates (date-fns), bundled for the browser.
"use strict";
module.exports = {
  name: "storefront-web",
  platform: "javascript",
  libs: { "big.js": ["5.2.2", "6.1.1", "6.2.2", "7.0.1"], "date-fns": ["2.29.3", "2.30.0", "3.6.0", "4.1.0"] },
  files: [
    {
      path: "checkout/cart.js",
      imports: () => ['const Big = require("big.js");'],
      functions: [
        {
          name: "lineTotal",
          fields: { price: "decimal", quantity: "decimal" },
          good: { price: "9.99", quantity: "2" },
          body: () => ["const total = new Big(input.price).times(input.quantity);", "return total.toFixed(2);"],
        },
        {
          name: "perPerson",
          fields: { people: "divisor" },
          good: { people: "4" },
          body: () => ['return new Big("120").div(input.people).toFixed(2);'],
        },
        {
          name: "roundPrice",
          fields: { places: "places" },
          good: { places: 2 },
          body: () => ['return new Big("19.999").round(input.places).toString();'],
        },
        {
          name: "cheaperOf",
          fields: { a: "decimal", b: "decimal" },
          good: { a: "3", b: "4" },
          body: () => ["return new Big(input.a).lt(input.b) ? input.a : input.b;"],
        },
        {
          name: "unitPrice",
          fields: { price: "decimal", grams: "divisor" },
          good: { price: "3", grams: "250" },
          body: () => ['return new Big(input.price).div(input.grams).times(1000).toFixed(2);'],
        },
        {
          name: "applyCoupon",
          fields: { discount: "decimal" },
          good: { discount: "5" },
          body: () => ['return new Big("50").minus(input.discount).toFixed(2);'],
        },
      ],
    },
    {
      path: "checkout/delivery.js",
      // one module per function, as a bundle-size-minded page imports them; 3.x exports names
      imports: (v, major) =>
        ["format", "parseISO", "addBusinessDays", "differenceInDays", "parse"].map((name) =>
          major(v["date-fns"]) >= 3
            ? `const { ${name} } = require("date-fns/${name}");`
            : `const ${name} = require("date-fns/${name}");`,
        ),
      functions: [
        {
          name: "deliveryDate",
          fields: { ordered: "date" },
          good: { ordered: "2024-03-01" },
          body: () => ['return format(addBusinessDays(parseISO(input.ordered), 3), "EEE d MMM");'],
        },
        {
          name: "formatSlot",
          fields: { pattern: "format" },
          good: { pattern: "HH:mm" },
          body: () => ["return format(new Date(2024, 2, 1, 10), input.pattern);"],
        },
        {
          name: "pickupDate",
          fields: { text: "date", pattern: "format" },
          good: { text: "01/03/2024", pattern: "dd/MM/yyyy" },
          body: () => ['const day = parse(input.text, input.pattern, new Date(2024, 0, 1));', 'return format(day, "d MMM");'],
        },
        {
          name: "daysToArrival",
          fields: { eta: "date" },
          good: { eta: "2024-03-09" },
          body: () => ["const days = differenceInDays(parseISO(input.eta), new Date(2024, 2, 1));", "return days.toFixed(0).padStart(days, \"0\");"],
        },
      ],
    },
  ],
};
