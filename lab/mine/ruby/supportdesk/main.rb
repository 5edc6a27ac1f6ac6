# frozen_string_literal: true

# Supportdesk, a ticketing service on Rails (actionpack/railties, Debian's 6.1) with
# sentry-rails reporting what its controllers raise; the harness sends one request per job
# through the full Rack stack in process (Rack::MockRequest, as an integration test does).
require "action_controller/railtie"
require "sentry-ruby"
require "sentry-rails"
require_relative "harness"

class Supportdesk < Rails::Application
  config.root = __dir__
  config.eager_load = false
  config.logger = Logger.new(nil)
  config.secret_key_base = "supportdesk-lab-only"
  config.hosts.clear
  config.consider_all_requests_local = false
  config.action_dispatch.show_exceptions = true
  config.time_zone = "UTC"
  config.i18n.load_path += Dir[File.join(__dir__, "config/locales/*.yml")]

  initializer "supportdesk.sentry" do # where config/initializers/sentry.rb would run
    Sentry.init { |sentry| Harness.configure(sentry, __dir__) }
  end
end

Supportdesk.initialize!
Dir[File.join(__dir__, "app/models/*.rb")].sort.each { |file| require file }
Dir[File.join(__dir__, "app/controllers/concerns/*.rb")].sort.each { |file| require file }
Dir[File.join(__dir__, "app/controllers/*.rb")].sort.each { |file| require file }
Supportdesk.routes.draw do
  resources :tickets, only: %i[show] do
    member do
      post :assign
      post :escalate
      post :due
      get :sla
      post :tags
      post :merge
      post :transition
      get :status
    end
    resources :comments, only: %i[create]
  end
  get "/reports/volume", to: "reports#volume"
  get "/reports/clock", to: "reports#clock"
  post "/webhooks/:source", to: "webhooks#receive"
  post "/admin/imports/:kind", to: "imports#create"
  get "/api/v1/tickets/:id", to: "tickets#show"
end

Harness.jobs do |job|
  verb, path, body = job.split(" ", 3)
  Rack::MockRequest.new(Supportdesk).request(verb, path, input: body.to_s.gsub("\\n", "\n"),
                                                         "CONTENT_TYPE" => "text/plain")
end
