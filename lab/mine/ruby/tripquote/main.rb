# frozen_string_literal: true

# tripquote: a fare-quoting API, a Rack application mapped with Rack::Builder (URLMap) behind
# sentry-ruby's Rack middleware and three middlewares of its own (tenant, deadline, JSON body),
# on ActiveSupport; the harness sends one request per job through the stack in process
# (Rack::MockRequest). Sentry's middleware reports what the stack raised and re-raises it.
require "rack"
require "active_support"
require "active_support/core_ext"
require_relative "harness"
require_relative "app/middleware/tenant"
require_relative "app/middleware/deadline"
require_relative "app/middleware/json_body"
require_relative "app/fares"
require_relative "app/quotes"
require_relative "app/bookings"
require_relative "app/cancellations"
require_relative "app/schedules"
require_relative "app/api"

Sentry.init { |config| Harness.configure(config, __dir__) }

app = Rack::Builder.new do
  use Sentry::Rack::CaptureExceptions
  use Tripquote::Tenant
  use Tripquote::Deadline
  use Tripquote::JsonBody
  map("/v1") { run Tripquote::Api.new }
  map("/partner") { run Tripquote::Api.new(partner: true) }
end.to_app
client = Rack::MockRequest.new(app)

Harness.jobs do |job|
  verb, path, tenant, body = job.split(" ", 4)
  headers = { "HTTP_X_TENANT" => tenant, "CONTENT_TYPE" => "application/json" }
  path, deadline = path.split("~", 2)
  headers["HTTP_X_DEADLINE"] = deadline if deadline
  client.request(verb, path, headers.merge(input: body.to_s))
rescue StandardError
  nil # reported by the middleware; the next request goes on
end
