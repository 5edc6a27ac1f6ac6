# frozen_string_literal: true

module Lendlib
  module Loans
    module_function

    # lab: moved-here
  end
end
