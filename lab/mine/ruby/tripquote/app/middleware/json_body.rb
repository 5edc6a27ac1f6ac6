# frozen_string_literal: true

require "json"

module Tripquote
  # Parses a JSON body into tripquote.params for the handlers.
  class JsonBody
    def initialize(app)
      @app = app
    end

    def call(env)
      body = env["rack.input"].read
      env["tripquote.params"] = body.empty? ? {} : ActiveSupport::JSON.decode(body) # lab: fault=body-json
      @app.call(env)
    end
  end
end
