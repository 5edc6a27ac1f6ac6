# frozen_string_literal: true

# pagesmith: the docs team's static-site tool (build a page, read a feed, sanitize HTML, write a
# sitemap, translate, paginate, fingerprint assets), a Thor command line run as
# `pagesmith COMMAND ARGS` with its input on stdin; a failed command is reported with
# sentry-ruby before the process exits non-zero.
require "thor"
require_relative "harness"

Sentry.init { |config| Harness.configure(config, __dir__) }

require_relative "lib/pagesmith/front_matter"
require_relative "lib/pagesmith/page"
require_relative "lib/pagesmith/templates"
require_relative "lib/pagesmith/feed"
require_relative "lib/pagesmith/sitemap"
require_relative "lib/pagesmith/cli/assets"
require_relative "lib/pagesmith/cli"
require_relative "lib/pagesmith/runner" # lab: r=3

begin
  Pagesmith::CLI.start(ARGV) # lab: r=1-2
  Pagesmith::Runner.run(ARGV) # lab: r=3
rescue StandardError => e
  Sentry.capture_exception(e)
  warn "pagesmith: #{e.message}"
  exit 1
end
