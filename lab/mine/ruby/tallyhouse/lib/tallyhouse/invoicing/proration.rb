# frozen_string_literal: true

module Tallyhouse
  # Proration: what a change of plan in the middle of a period costs.
  module Invoicing
    module_function

    # moved-here # lab: moved-here
  end
end
