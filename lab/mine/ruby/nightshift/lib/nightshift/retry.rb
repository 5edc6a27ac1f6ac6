# frozen_string_literal: true

module Nightshift
  # A job that fails for a passing reason (a lock held, a peer restarting) is tried again.
  class Transient < StandardError; end

  # Retries a block on Transient errors (added in 1.0).
  module Retry
    module_function

    def run(attempts:)
      tries = 0
      begin
        tries += 1
        yield
      rescue Transient
        retry if tries < attempts
        raise
      end
    end
  end
end
