// A scheduling service: due dates (date-fns) and meetings across time zones (luxon).
"use strict";
module.exports = {
  name: "scheduler",
  platform: "node",
  libs: { "date-fns": ["2.29.3", "2.30.0", "3.6.0", "4.1.0"], luxon: ["1.28.1", "2.5.2", "3.4.4", "3.7.2"] },
  files: [
    {
      path: "schedule/due.js",
      imports: () => ['const { format, parseISO, addDays, formatDistance, parse, differenceInCalendarDays } = require("date-fns");'],
      functions: [
        {
          name: "formatDue",
          fields: { due: "date", pattern: "format" },
          good: { due: "2024-03-01", pattern: "yyyy-MM-dd" },
          body: () => ["return format(parseISO(input.due), input.pattern);"],
        },
        {
          name: "formatStamp",
          fields: { ms: "digits" },
          good: { ms: 1700000000000 },
          body: () => ['return format(new Date(input.ms * 1e12), "PPpp");'],
        },
        {
          name: "shiftDue",
          fields: { due: "date", days: "digits" },
          good: { due: "2024-03-01", days: 3 },
          body: () => ['const shifted = addDays(parseISO(input.due), input.days);', 'return format(shifted, "yyyy-MM-dd");'],
        },
        {
          name: "parseLocal",
          fields: { text: "date", pattern: "format" },
          good: { text: "01/03/2024", pattern: "dd/MM/yyyy" },
          body: () => ['const date = parse(input.text, input.pattern, new Date(2024, 0, 1));', 'return format(date, "yyyy-MM-dd");'],
        },
        {
          name: "timeUntil",
          fields: { from: "date" },
          good: { from: "2024-03-01" },
          body: () => ['return formatDistance(parseISO(input.from), new Date(2024, 5, 1));'],
        },
        {
          name: "daysLate",
          fields: { due: "date" },
          good: { due: "2024-03-01" },
          body: () => ["const days = differenceInCalendarDays(new Date(2024, 5, 1), parseISO(input.due));", "return days.toFixed(days > 0 ? 0 : -1);"],
        },
      ],
    },
    {
      path: "schedule/zones.js",
      imports: () => ['const { DateTime, Duration } = require("luxon");'],
      functions: [
        {
          name: "localTime",
          fields: { iso: "date", zone: "zone" },
          good: { iso: "2024-03-01T10:00:00Z", zone: "Europe/Paris" },
          body: () => ["const when = DateTime.fromISO(input.iso, { zone: input.zone });", "return when.toISO().slice(0, 16);"],
        },
        {
          name: "meetingLength",
          fields: { iso: "word", digits: "digits" },
          good: { iso: "PT1H30M", digits: 1 },
          body: () => ['return Duration.fromISO(input.iso).as("minutes").toFixed(input.digits);'],
        },
        {
          name: "plusHours",
          fields: { hours: "number" },
          good: { hours: 3 },
          body: () => ['return DateTime.fromISO("2024-03-01T10:00:00Z").plus({ hours: input.hours }).toISO();'],
        },
        {
          name: "fromPattern",
          fields: { text: "date", fmt: "format" },
          good: { text: "01/03/2024", fmt: "dd/MM/yyyy" },
          body: () => ["const when = DateTime.fromFormat(input.text, input.fmt);", "if (!when.isValid) throw new RangeError(`bad date: ${when.invalidExplanation}`);", "return when.toISODate();"],
        },
        {
          name: "weekOf",
          fields: { iso: "date" },
          good: { iso: "2024-03-01" },
          body: () => ['return DateTime.fromISO(input.iso).toISOWeekDate().split("-")[1];'],
        },
      ],
    },
  ],
};
