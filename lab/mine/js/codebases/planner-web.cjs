// A trip planner page: times across zones (luxon) and itinerary cards (handlebars), bundled for
// the browser.
"use strict";
module.exports = {
  name: "planner-web",
  platform: "javascript",
  libs: { luxon: ["1.28.1", "2.5.2", "3.4.4", "3.7.2"], handlebars: ["4.1.2", "4.5.3", "4.7.7", "4.7.8"] },
  files: [
    {
      path: "planner/times.js",
      imports: () => ['const { DateTime, Duration, Interval } = require("luxon");'],
      functions: [
        {
          name: "arrivalTime",
          fields: { iso: "date", zone: "zone" },
          good: { iso: "2024-03-01T10:00:00Z", zone: "Asia/Tokyo" },
          body: () => ["const arrival = DateTime.fromISO(input.iso).setZone(input.zone);", "return arrival.toISO().slice(11, 16);"],
        },
        {
          name: "flightLength",
          fields: { iso: "word" },
          good: { iso: "PT11H20M" },
          body: () => ['return Duration.fromISO(input.iso).toFormat("hh:mm").split(":")[0];'],
        },
        {
          name: "addLayover",
          fields: { minutes: "number" },
          good: { minutes: 45 },
          body: () => ['return DateTime.fromISO("2024-03-01T10:00:00Z").plus({ minutes: input.minutes }).toISO().length;'],
        },
        {
          name: "tripDays",
          fields: { start: "date", end: "date" },
          good: { start: "2024-03-01", end: "2024-03-09" },
          body: () => ["const trip = Interval.fromDateTimes(DateTime.fromISO(input.start), DateTime.fromISO(input.end));", 'return trip.length("days").toFixed(0);', ],
        },
        {
          name: "readTicketDate",
          fields: { text: "date", fmt: "format" },
          good: { text: "01/03/2024", fmt: "dd/MM/yyyy" },
          body: () => ["return DateTime.fromFormat(input.text, input.fmt).toISODate().replace(/-/g, \"\");"],
        },
      ],
    },
    {
      path: "planner/cards.js",
      imports: () => ['const Handlebars = require("handlebars/dist/cjs/handlebars");'],
      functions: [
        {
          name: "renderCard",
          fields: { template: "template" },
          good: { template: "<b>{{city}}</b>" },
          body: () => ['return Handlebars.compile(input.template)({ city: "Kyoto", stops: [1] });'],
        },
        {
          name: "renderStrictCard",
          fields: { template: "template" },
          good: { template: "<b>{{city}}</b>" },
          body: () => ['return Handlebars.compile(input.template, { strict: true })({ city: "Kyoto" }).length;'],
        },
        {
          name: "renderWithData",
          fields: { data: "json" },
          good: { data: { city: "Kyoto" } },
          body: () => ['return Handlebars.compile("{{city}} {{#each stops}}{{this}}{{/each}}")(input.data).trim();'],
        },
      ],
    },
  ],
};
