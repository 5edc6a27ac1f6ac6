// A release bot: tags, version bumps and compatibility ranges (semver).
"use strict";
module.exports = {
  name: "releasebot",
  platform: "node",
  libs: { semver: ["5.7.2", "6.3.1", "7.5.4", "7.7.2"] },
  files: [
    {
      path: "release/versions.js",
      imports: () => ['const semver = require("semver");'],
      functions: [
        {
          name: "nextVersion",
          fields: { current: "version", bump: "word" },
          good: { current: "1.2.3", bump: "minor" },
          body: () => ["const next = semver.inc(input.current, input.bump);", "return next.toString();"],
        },
        {
          name: "compareReleases",
          fields: { a: "version", b: "version" },
          good: { a: "1.2.3", b: "1.3.0" },
          body: () => ["return semver.compare(input.a, input.b);"],
        },
        {
          name: "parseTag",
          fields: { tag: "version" },
          good: { tag: "2.0.1" },
          body: () => ["const version = new semver.SemVer(input.tag);", "return `${version.major}.${version.minor}`;"],
        },
        {
          name: "sortTags",
          fields: { tags: "versions" },
          good: { tags: ["1.0.0", "0.9.1"] },
          body: () => ["return semver.sort(input.tags.slice()).join(\",\");"],
        },
        {
          name: "diffVersions",
          fields: { from: "version" },
          good: { from: "1.0.0" },
          body: () => ['return semver.diff(input.from, "2.0.0").toUpperCase();'],
        },
      ],
    },
    {
      path: "release/ranges.js",
      imports: () => ['const semver = require("semver");'],
      functions: [
        {
          name: "checkRange",
          fields: { range: "range" },
          good: { range: "^1.2.0" },
          body: () => ["const range = new semver.Range(input.range);", "return range.range;"],
        },
        {
          name: "minimumVersion",
          fields: { range: "range" },
          good: { range: ">=1.2.0" },
          body: () => ["return semver.minVersion(input.range).version;"],
        },
        {
          name: "coerceVersion",
          fields: { raw: "version" },
          good: { raw: "v2" },
          body: () => ["const version = semver.coerce(input.raw);", "return version.version;"],
        },
        {
          name: "isCompatible",
          fields: { version: "version", range: "range" },
          good: { version: "1.2.3", range: "^1.0.0" },
          body: () => [
            "const wanted = new semver.Range(input.range);",
            "const given = new semver.SemVer(input.version);",
            "return wanted.test(given);",
          ],
        },
        {
          name: "highestMatching",
          fields: { tags: "versions" },
          good: { tags: ["1.0.0", "1.4.0"] },
          body: () => ['return semver.maxSatisfying(input.tags, "^1.0.0").toString();'],
        },
      ],
    },
  ],
};
