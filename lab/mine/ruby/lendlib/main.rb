# frozen_string_literal: true

# lendlib: a public library's lending service. A Rack API (behind sentry-ruby's Rack
# middleware), the circulation desk's command line and a background job runner (a worker thread
# on a Queue), all on one seeded store. The harness feeds one job per line: "http VERB PATH
# [BODY]", "cli ARGS..." (a literal \n is a newline) or "job NAME JSON"; each starts afresh.
require "json"
require "rack"
require_relative "harness"
require_relative "lib/lendlib"

Sentry.init { |config| Harness.configure(config, __dir__) }

app = Rack::Builder.new do
  use Sentry::Rack::CaptureExceptions
  map("/") { run Lendlib::Api.new }
  map("/v2") { run Lendlib::Api.new(version: 2) } # lab: r=4
end.to_app
client = Rack::MockRequest.new(app)
runner = Lendlib::Runner.new

Harness.jobs do |job|
  Lendlib::Store.reset!
  entry, rest = job.split(" ", 2)
  case entry
  when "http"
    verb, path, body = rest.split(" ", 3)
    begin
      client.request(verb, path, "CONTENT_TYPE" => "application/json", input: body.to_s)
    rescue StandardError
      nil # reported by the middleware; the next request goes on
    end
  when "cli"
    Lendlib::CLI.start(rest.to_s.split(" ").map { |arg| arg.gsub("\\n", "\n") })
  when "job"
    name, payload = rest.split(" ", 2)
    runner.perform(name, JSON.parse(payload))
  end
end
