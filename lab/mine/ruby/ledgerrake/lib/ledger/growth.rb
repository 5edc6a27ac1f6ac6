# frozen_string_literal: true

module Ledger
  # Growth over years.
  module Money
    module_function

    # lab: moved-here
  end
end
