// A bookkeeping ledger: amounts in arbitrary precision (bignumber.js in DEBUG mode, where invalid
// numbers throw; 8.0 added toFormat's format object, 11.x moved the build to dist/bignumber.cjs
// and reworded its errors) and invoice money as integer minor units
// (dinero.js 1.x, which gained `convertPrecision` in 1.6 and `Dinero.minimum` in 1.8, and folded
// its per-check assertions into one `assert` in 1.8).
"use strict";
const below = (version, minor) => Number(String(version).split(".")[1]) < minor;
module.exports = {
  name: "ledgerlens",
  platform: "node",
  libs: { "bignumber.js": ["7.2.1", "8.1.1", "9.1.2", "11.0.0"], "dinero.js": ["1.4.0", "1.6.0", "1.8.1", "1.9.1"] },
  files: [
    {
      path: "ledger/amounts.js",
      imports: () => [
        'const BigNumber = require("bignumber.js");',
        "const Strict = BigNumber.clone({ DECIMAL_PLACES: 8 });",
        "Strict.DEBUG = true; // invalid numbers throw instead of becoming NaN",
      ],
      functions: [
        {
          name: "parseAmount",
          fields: { amount: "decimal" },
          good: { amount: "1250.75" },
          body: () => ["return new Strict(input.amount).toFixed(2);"],
        },
        {
          name: "sumEntries",
          fields: { entries: "entries" },
          good: { entries: ["10.50", "4.25", "-2"] },
          body: () => ["return input.entries.reduce((total, entry) => total.plus(entry), new Strict(0)).toFixed(2);"],
        },
        {
          name: "roundBalance",
          fields: { places: "places" },
          good: { balance: "1234.5678", places: 2 },
          body: () => ["return new BigNumber(input.balance).decimalPlaces(input.places).toString();"],
        },
        {
          name: "formatBalance",
          fields: { places: "places" },
          good: { balance: "1234567.891", places: 2 },
          body: (v, major) =>
            major(v["bignumber.js"]) >= 8
              ? ["return new BigNumber(input.balance).toFormat(input.places, { groupSeparator: \"'\", groupSize: 3, decimalSeparator: \".\" });"]
              : ["const text = new BigNumber(input.balance).toFormat(input.places);", "return text.replace(/,/g, \"'\");"],
        },
        {
          name: "readAccountNumber",
          fields: { digits: "word", base: "radix" },
          good: { digits: "1f2e", base: 16 },
          body: () => ["return new BigNumber(input.digits, input.base).toString(10);"],
        },
        {
          name: "splitEvenly",
          fields: { parts: "decimal" },
          good: { total: "100", parts: "3" },
          body: () => ["const share = new Strict(input.total).dividedBy(input.parts);", "return share.toFixed(2);"],
        },
        {
          name: "ledgerContext",
          fields: { places: "places" },
          good: { places: 4 },
          body: () => [
            "const Ledger = BigNumber.clone({ DECIMAL_PLACES: input.places, ROUNDING_MODE: BigNumber.ROUND_HALF_EVEN });",
            "return new Ledger(1).dividedBy(3).toString();",
          ],
        },
      ],
    },
    {
      path: "ledger/invoices.js",
      imports: () => ['const Dinero = require("dinero.js");'],
      functions: [
        {
          name: "priceLine",
          fields: { cents: "cents", currency: "currency" },
          good: { cents: 1999, currency: "EUR" },
          body: () => ['return Dinero({ amount: input.cents, currency: input.currency }).setLocale("en-GB").toFormat("$0,0.00");'],
        },
        {
          name: "allocateShares",
          fields: { cents: "cents", ratios: "ratios" },
          good: { cents: 10000, ratios: [50, 30, 20] },
          body: () => ["const shares = Dinero({ amount: input.cents }).allocate(input.ratios);", "return shares.map((share) => share.getAmount()).join(\",\");"],
        },
        {
          name: "applyDiscount",
          fields: { percent: "percent" },
          good: { percent: 15 },
          body: () => ["const price = Dinero({ amount: 25000, currency: \"USD\" });", "return price.subtract(price.percentage(input.percent)).getAmount();"],
        },
        {
          name: "addInvoices",
          fields: { cents: "cents", currency: "currency" },
          good: { cents: 500, currency: "USD" },
          body: () => [
            "const base = Dinero({ amount: 1000, currency: \"USD\" });",
            "const extra = Dinero({ amount: input.cents, currency: input.currency });",
            "return base.add(extra).getAmount();",
          ],
        },
        {
          name: "scaleLine",
          fields: { factor: "decimal", rounding: "rounding" },
          good: { factor: "1.5", rounding: "HALF_EVEN" },
          body: () => ["return Dinero({ amount: 1999 }).multiply(Number(input.factor), input.rounding).getAmount();"],
        },
        {
          name: "toMajorUnits",
          fields: { precision: "places" },
          good: { precision: 3 },
          body: (v) =>
            below(v["dinero.js"], 6)
              ? ["return Dinero({ amount: 1999, precision: 2 }).multiply(10 ** (input.precision - 2)).toUnit();"]
              : ["return Dinero({ amount: 1999, precision: 2 }).convertPrecision(input.precision).toUnit();"],
        },
        {
          name: "cheapestQuote",
          fields: { quotes: "quotes" },
          good: { quotes: [1200, 999, 1500] },
          body: (v) =>
            below(v["dinero.js"], 8)
              ? [
                  "const prices = input.quotes.map((cents) => Dinero({ amount: cents, currency: \"USD\" }));",
                  "return prices.reduce((low, price) => (price.lessThan(low) ? price : low)).getAmount();",
                ]
              : [
                  "const prices = input.quotes.map((cents) => Dinero({ amount: cents, currency: \"USD\" }));",
                  "return Dinero.minimum(prices).getAmount();",
                ],
        },
      ],
    },
  ],
};
