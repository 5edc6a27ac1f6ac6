# frozen_string_literal: true

# Stands in for sentry-ruby with the legacy client, sentry-raven (Debian's ruby-sentry-raven,
# 3.1.2): the calls tests/ruby/app/shop.rb makes, answered by Raven, so the same shop reports
# through either client. tests/slow/test_raven_sdks.py runs `ruby -I tests/ruby/raven
# app/shop.rb ...`: this file is found before the gem. Raven sends synchronously, to the store
# endpoint (sentry_version 5, base64 of a zlib stream), with `sentry.interfaces.*`-era keys.
require "raven"

module Sentry
  Options = Struct.new(:dsn, :release, :environment, :project_root, :background_worker_threads)

  def self.init
    options = Options.new
    yield options
    Raven.configure do |config|
      config.dsn = options.dsn
      config.release = options.release
      config.current_environment = options.environment
      config.project_root = options.project_root
      config.silence_ready = true
    end
  end

  def self.capture_exception(error)
    Raven.capture_exception(error)
  end

  def self.capture_message(message)
    Raven.capture_message(message)
  end
end
