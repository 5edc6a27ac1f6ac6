# frozen_string_literal: true

# A tiny shop whose errors the official sentry-ruby SDK (Debian's ruby-sentry-ruby) reports,
# driven by tests/slow/test_go_ruby_sdk.py: `ruby app/shop.rb SCENARIO [MARKER]`, DSN in FAULTLINE_DSN.
require "sentry-ruby"

Sentry.init do |config|
  config.dsn = ENV.fetch("FAULTLINE_DSN")
  config.release = "shop-ruby@1.0.0"
  config.environment = "test"
  config.project_root = File.expand_path("..", __dir__) # app/ under it is in-app code
  config.background_worker_threads = 0 # send before exiting
end

module Shop
  def self.average_price(items)
    items.sum / items.size
  end

  def self.checkout(items)
    average_price(items)
  end

  def self.plan_of(customer)
    { "ada" => "pro" }.fetch(customer)
  end
end

scenario, marker = ARGV
begin
  case scenario
  when "divide" then Shop.checkout([])
  when "missing" then Shop.plan_of("grace")
  when "message" then Sentry.capture_message("Ruby shop started #{marker}")
  else abort("unknown scenario #{scenario}")
  end
rescue StandardError => e
  Sentry.capture_exception(e) or abort("the event was not sent")
end
puts "sent #{scenario}"
