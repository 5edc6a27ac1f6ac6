# frozen_string_literal: true

# A one-file Rails application with sentry-rails (Debian's ruby-sentry-rails): a request to
# /orders/:id raises in a controller and Sentry's Rails middleware reports it. Driven by
# tests/slow/test_go_ruby_sdk.py: `ruby app/rails_shop.rb PATH`, DSN in FAULTLINE_DSN. The request
# goes through the full Rack stack in-process (Rack::MockRequest), no server socket.
require "action_controller/railtie"
require "sentry-ruby"
require "sentry-rails"

class RailsShop < Rails::Application
  config.root = File.expand_path("..", __dir__)
  config.eager_load = false
  config.logger = Logger.new(nil)
  config.secret_key_base = "faultline-test-only"
  config.hosts.clear
  config.consider_all_requests_local = false
  config.action_dispatch.show_exceptions = true

  initializer "shop.sentry" do # where config/initializers/sentry.rb would run
    Sentry.init do |sentry|
      sentry.dsn = ENV.fetch("FAULTLINE_DSN")
      sentry.release = "shop-rails@1.0.0"
      sentry.environment = "test"
      sentry.background_worker_threads = 0 # send before exiting
    end
  end
end

class OrdersController < ActionController::Base
  def show
    order = { "1" => { total: 10 } }[params[:id]]
    render plain: "total #{order.fetch(:total)}" # a missing order raises NoMethodError
  end
end

RailsShop.initialize!
RailsShop.routes.draw { get "/orders/:id", to: "orders#show" }

response = Rack::MockRequest.new(RailsShop).get(ARGV.fetch(0))
puts "status #{response.status}"
