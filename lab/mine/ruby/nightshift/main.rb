# frozen_string_literal: true

# nightshift: the operations team's background job runner. Jobs come off stdin as
# `JOB JSON-ARGS`; a dispatcher runs each on a concurrent-ruby thread pool (a Promises future),
# some jobs fan out futures of their own, and the dispatcher reports a failed job with
# sentry-ruby once the future is resolved (the exception as the worker thread raised it).
require "concurrent"
require_relative "harness"

Sentry.init { |config| Harness.configure(config, __dir__) }

require_relative "lib/nightshift/retry" # lab: r=3
require_relative "lib/nightshift/jobs/deps"
require_relative "lib/nightshift/jobs/audit"
require_relative "lib/nightshift/jobs/network"
require_relative "lib/nightshift/jobs/export"
require_relative "lib/nightshift/jobs/archive"
require_relative "lib/nightshift/jobs/cleanup"
require_relative "lib/nightshift/jobs/checksums"
require_relative "lib/nightshift/jobs/files"
require_relative "lib/nightshift/dispatcher"

dispatcher = Nightshift::Dispatcher.new(threads: 3)
Harness.jobs { |job| dispatcher.dispatch(job) }
dispatcher.shutdown
