# frozen_string_literal: true

module Tripquote
  TENANTS = {
    "acme" => { currency: "EUR", markup: 5 },
    "globex" => { currency: "USD", markup: 0 },
    "initech" => { currency: "GBP", markup: 12 },
  }.freeze

  # Which reseller is calling, from the X-Tenant header.
  class Tenant
    def initialize(app)
      @app = app
    end

    def call(env)
      env["tripquote.tenant"] = TENANTS.fetch(env["HTTP_X_TENANT"]) # lab: fault=tenant-key
      @app.call(env)
    end
  end
end
