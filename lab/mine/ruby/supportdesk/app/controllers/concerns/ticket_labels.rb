# frozen_string_literal: true

# How tickets are shown to people.
module TicketLabels
  # lab: moved-here
end
