// A release dashboard page: versions (semver) and pasted manifests (yaml), bundled for the browser.
"use strict";
module.exports = {
  name: "releases-web",
  platform: "javascript",
  libs: { semver: ["5.7.2", "6.3.1", "7.5.4", "7.7.2"], yaml: ["1.10.2", "2.2.2", "2.5.1", "2.8.1"] },
  files: [
    {
      path: "dashboard/versions.js",
      imports: () => ['const semver = require("semver");'],
      functions: [
        {
          name: "bumpLabel",
          fields: { version: "version" },
          good: { version: "1.2.3" },
          body: () => ['return semver.inc(input.version, "patch").split(".").length;'],
        },
        {
          name: "newer",
          fields: { a: "version", b: "version" },
          good: { a: "1.0.0", b: "2.0.0" },
          body: () => ["return semver.gt(input.a, input.b);"],
        },
        {
          name: "rangeLabel",
          fields: { range: "range" },
          good: { range: "^1.0.0" },
          body: () => ["return new semver.Range(input.range).format();"],
        },
        {
          name: "majorOf",
          fields: { version: "version" },
          good: { version: "3.1.0" },
          body: () => ["return semver.major(input.version);"],
        },
      ],
    },
    {
      path: "dashboard/manifest.js",
      imports: () => ['const YAML = require("yaml");'],
      functions: [
        {
          name: "readManifest",
          fields: { text: "yaml" },
          good: { text: "name: app\nversion: 1.0.0" },
          body: () => ["const manifest = YAML.parse(input.text);", "return manifest.version.trim();"],
        },
        {
          name: "listServices",
          fields: { text: "yaml" },
          good: { text: "services:\n  - api" },
          body: () => ['return YAML.parse(input.text).services.join(",");'],
        },
      ],
    },
  ],
};
