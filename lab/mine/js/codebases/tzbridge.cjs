// A time-zone bridge between partner calendars: wall-clock times moved between IANA zones with
// dayjs and its utc/timezone/customParseFormat plugins (1.9 → 1.11), and fixed offsets, ISO
// instants, durations and patterns with @js-joda/core (3.x → 6.x; without @js-joda/timezone
// region ids fail, and 6.x changed the message that says so).
"use strict";
module.exports = {
  name: "tzbridge",
  platform: "node",
  libs: { dayjs: ["1.9.8", "1.10.8", "1.11.10", "1.11.19"], "@js-joda/core": ["3.2.0", "4.3.1", "5.6.5", "6.3.2"] },
  files: [
    {
      path: "bridge/zones.js",
      imports: () => [
        'const dayjs = require("dayjs");',
        'dayjs.extend(require("dayjs/plugin/utc"));',
        'dayjs.extend(require("dayjs/plugin/timezone"));',
        'dayjs.extend(require("dayjs/plugin/customParseFormat"));',
      ],
      functions: [
        {
          name: "toPartnerZone",
          fields: { at: "date", zone: "zone" },
          good: { at: "2024-03-01T10:00:00Z", zone: "Asia/Tokyo" },
          body: () => ['return dayjs.utc(input.at).tz(input.zone).format("YYYY-MM-DD HH:mm Z");'],
        },
        {
          name: "fromPartnerZone",
          fields: { local: "date", zone: "zone" },
          good: { local: "2024-03-01 09:30", zone: "America/New_York" },
          body: () => ["return dayjs.tz(input.local, input.zone).toISOString();"],
        },
        {
          name: "parseStamp",
          fields: { stamp: "date" },
          good: { stamp: "01/03/2024 09:30" },
          body: () => ['const parsed = dayjs(input.stamp, "DD/MM/YYYY HH:mm", true);', "return parsed.toISOString();"],
        },
        {
          name: "shiftMeeting",
          fields: { start: "date", minutes: "digits" },
          good: { start: "2024-03-01T10:00:00Z", minutes: 45 },
          body: () => ['return dayjs.utc(input.start).add(input.minutes, "minute").toDate().toISOString();'],
        },
        {
          name: "zoneOffsetOf",
          fields: { zone: "zone" },
          good: { zone: "Europe/Berlin" },
          body: () => ['return dayjs.utc("2024-07-01T00:00:00Z").tz(input.zone).utcOffset();'],
        },
      ],
    },
    {
      path: "bridge/offsets.js",
      imports: () => [
        'const { Instant, LocalDate, LocalDateTime, ZoneOffset, ZoneId, Duration, Period, DateTimeFormatter } = require("@js-joda/core");',
      ],
      functions: [
        {
          name: "instantMillis",
          fields: { at: "date" },
          good: { at: "2024-03-01T10:00:00Z" },
          body: () => ["return Instant.parse(input.at).toEpochMilli();"],
        },
        {
          name: "withOffset",
          fields: { offset: "offset" },
          good: { local: "2024-03-01T10:00", offset: "+05:30" },
          body: () => ["return LocalDateTime.parse(input.local).atOffset(ZoneOffset.of(input.offset)).toString();"],
        },
        {
          name: "partnerZone",
          fields: { zone: "zone" },
          good: { zone: "UTC+02:00" },
          body: () => ['return ZoneId.of(input.zone).rules().offset(Instant.parse("2024-01-01T00:00:00Z")).toString();'],
        },
        {
          name: "slotLength",
          fields: { duration: "isoDuration" },
          good: { duration: "PT1H30M" },
          body: () => ["return Duration.parse(input.duration).toMinutes();"],
        },
        {
          name: "billingPeriod",
          fields: { period: "isoDuration" },
          good: { period: "P1M", from: "2024-01-31" },
          body: () => ["return LocalDate.parse(input.from).plus(Period.parse(input.period)).toString();"],
        },
        {
          name: "formatDay",
          fields: { pattern: "format" },
          good: { day: "2024-03-01", pattern: "dd.MM.yyyy" },
          body: () => ["return LocalDate.parse(input.day).format(DateTimeFormatter.ofPattern(input.pattern));"],
        },
      ],
    },
  ],
};
