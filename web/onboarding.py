"""Per-platform set-up steps (install, configure with the project's DSN, verify) for the
first-event card and the project settings. Data, not code paths: one list a new SDK joins."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Step:
    title: str
    code: str  # `{dsn}` is replaced by the project's DSN


@dataclass(frozen=True)
class Platform:
    slug: str
    name: str
    install: Step
    configure: Step
    verify: Step

    def steps(self, dsn: str) -> list[tuple[str, str, str]]:
        """(id suffix, title, code) per step; the configure block keeps the bare id."""
        return [(suffix, step.title, step.code.replace("{dsn}", dsn))
                for suffix, step in (("-install", self.install), ("", self.configure),
                                     ("-verify", self.verify))]


PLATFORMS = (
    Platform(
        "python", "Python",
        Step("Install", "pip install --upgrade sentry-sdk"),
        Step("Configure, as early as possible in your application", '''import sentry_sdk

sentry_sdk.init(
    dsn="{dsn}",
    environment="production",
    release="my-app@1.0.0",
)'''),
        Step("Verify: raise an error (it appears here within seconds)", "division_by_zero = 1 / 0"),
    ),
    Platform(
        "node", "Node.js",
        Step("Install", "npm install --save @sentry/node"),
        Step("Configure, in a file loaded before everything else (instrument.js)",
             '''const Sentry = require("@sentry/node");

Sentry.init({
  dsn: "{dsn}",
  environment: "production",
  release: "my-app@1.0.0",
});'''),
        Step("Verify", '''try {
  undefinedFunction();
} catch (e) {
  Sentry.captureException(e);
}'''),
    ),
    Platform(
        "browser", "JavaScript (browser)",
        Step("Install", "npm install --save @sentry/browser"),
        Step("Configure", '''import * as Sentry from "@sentry/browser";

Sentry.init({ dsn: "{dsn}", release: "my-app@1.0.0" });'''),
        Step("Verify: run in the page",
             '''setTimeout(() => { throw new Error("Faultline test error"); });'''),
    ),
    Platform(
        "go", "Go",
        Step("Install", "go get github.com/getsentry/sentry-go"),
        Step("Configure", '''err := sentry.Init(sentry.ClientOptions{
	Dsn:         "{dsn}",
	Environment: "production",
	Release:     "my-app@1.0.0",
})
if err != nil {
	log.Fatalf("sentry.Init: %s", err)
}
defer sentry.Flush(2 * time.Second)'''),
        Step("Verify", '''sentry.CaptureException(errors.New("Faultline test error"))'''),
    ),
    Platform(
        "ruby", "Ruby",
        Step("Install", "gem install sentry-ruby   # Rails: add sentry-rails too"),
        Step("Configure", '''require "sentry-ruby"

Sentry.init do |config|
  config.dsn = "{dsn}"
  config.environment = "production"
  config.release = "my-app@1.0.0"
end'''),
        Step("Verify", '''begin
  1 / 0
rescue ZeroDivisionError => e
  Sentry.capture_exception(e)
end'''),
    ),
    Platform(
        "cli", "sentry-cli",
        Step("Install", "npm install --global @sentry/cli"),
        Step("Configure", 'export SENTRY_DSN="{dsn}"'),
        Step("Verify", 'sentry-cli send-event -m "Hello from Faultline"'),
    ),
)
