# frozen_string_literal: true

# tallyhouse bills customers: invoices, coupons, metered usage, charges and refunds. One process
# serves three ways in: a Rack API behind sentry-ruby's middleware, a rake-like command line
# (`tallyhouse invoice:show INV-1`) and a runner of background jobs on a pool of threads. The
# harness feeds it one line a job: "http VERB PATH [BODY]", "cli TASK ARGS..." or "job NAME ARGS...".
require "rack"
require_relative "harness"

Sentry.init { |config| Harness.configure(config, __dir__) }

require_relative "lib/tallyhouse"

app = Rack::Builder.new do
  use Sentry::Rack::CaptureExceptions
  run Tallyhouse::Api.new
end.to_app
client = Rack::MockRequest.new(app)
runner = Tallyhouse::Runner.new(threads: 3)

Harness.jobs do |job|
  entry, rest = job.split(" ", 2)
  case entry
  when "http"
    verb, path, body = rest.split(" ", 3)
    begin
      client.request(verb, path, input: body.to_s.gsub("\\n", "\n"),
                                 "HTTP_X_SIGNATURE" => "sha256=0")
    rescue StandardError
      nil # reported by the middleware; the next request goes on
    end
  when "cli"
    Tallyhouse::Tasks.run(rest.split)
  when "job"
    name, *args = rest.split
    runner.perform(name, *args)
  else
    abort "unknown entry: #{job}"
  end
end
runner.shutdown
