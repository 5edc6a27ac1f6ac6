# frozen_string_literal: true

module Tripquote
  # A caller may bound how long a quote holds (X-Deadline, an ISO 8601 duration).
  class Deadline
    def initialize(app)
      @app = app
    end

    def call(env)
      header = env["HTTP_X_DEADLINE"]
      env["tripquote.deadline"] = ActiveSupport::Duration.parse(header) if header # lab: fault=deadline-parse r=1-2
      env["tripquote.deadline"] = header && parse(header) # lab: r=3
      @app.call(env)
    end

    def parse(header) # lab: r=3
      ActiveSupport::Duration.parse(header.strip) # lab: fault=deadline-parse r=3
    end # lab: r=3
  end
end
