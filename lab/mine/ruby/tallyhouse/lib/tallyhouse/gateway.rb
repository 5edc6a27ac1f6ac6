# frozen_string_literal: true

module Tallyhouse
  # The card processor (simulated: the token says how it answers).
  module Gateway
    class Timeout < StandardError; end

    module_function

    def capture(token, amount)
      raise Timeout, "processor did not answer within 10s" if token == "slow"

      { token: token, amount: amount, status: "captured" }
    end
  end
end
