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
          name: "applyCoupon",
          fields: { discount: "decimal" },
          good: { discount: "5" },
          body: () => ['return new Big("50").minus(input.discount).toFixed(2);'],
        },
      ],
    },
    {
      path: "checkout/delivery.js",
      imports: () => ['const { format, parseISO, addBusinessDays, differenceInDays } = require("date-fns");'],
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
          name: "daysToArrival",
          fields: { eta: "date" },
          good: { eta: "2024-03-09" },
          body: () => ["const days = differenceInDays(parseISO(input.eta), new Date(2024, 2, 1));", "return days.toFixed(0).padStart(days, \"0\");"],
        },
      ],
    },
  ],
};
