# frozen_string_literal: true

module Bookshelf
  # Figures over the catalogue.
  class Books < Controller
    # lab: moved-here
  end
end
