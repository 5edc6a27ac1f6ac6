# frozen_string_literal: true

# ledgerrake: the bookkeeping team's Rake tasks (import, balances, FX, closing, reports), run as
# `ledgerrake TASK[ARGS]` with data on stdin; sentry-ruby's Rake integration reports a task's
# failure before Rake prints it and exits non-zero.
require "rake"
require_relative "harness"

Sentry.init { |config| Harness.configure(config, __dir__) }

require_relative "lib/ledger/books"
require_relative "lib/ledger/money"
require_relative "lib/ledger/growth"
require_relative "lib/tasks/ledger"
require_relative "lib/tasks/reports"

Rake.application.standard_exception_handling do
  Rake.application.init("ledgerrake", ARGV)
  Rake.application.top_level
end
