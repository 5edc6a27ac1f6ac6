# frozen_string_literal: true

module Tripquote
  # Cancellations (split out of bookings in 2.0).
  module Bookings
    module_function

    # lab: moved-here
  end
end
