# frozen_string_literal: true

module Tallyhouse
  # Refunds, split out of payments when partial refunds arrived.
  module Payments
    module_function

    # moved-here # lab: moved-here
  end
end
