# frozen_string_literal: true

module Lendlib
  module Holds
    module_function

    # lab: moved-here
  end
end
