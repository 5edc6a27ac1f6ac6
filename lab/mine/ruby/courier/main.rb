# frozen_string_literal: true

# Courier delivers notifications (email, SMS, push, webhooks, digests) from a queue on a pool of
# worker threads; each failed delivery is reported with sentry-ruby from the worker thread. The
# harness enqueues one message per job and waits for it to be handled.
require_relative "harness"

Sentry.init { |config| Harness.configure(config, __dir__) }

require_relative "lib/courier/pool"
require_relative "lib/courier/channels"
require_relative "lib/courier/webhooks"
require_relative "lib/courier/content"
require_relative "lib/courier/security"

pool = Courier::Pool.new(size: 4)
Harness.jobs do |job|
  kind, payload = job.split(" ", 2)
  pool.deliver(kind, payload.to_s.gsub("\\n", "\n"))
end
pool.shutdown
