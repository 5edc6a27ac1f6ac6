# frozen_string_literal: true

module Lendlib
  # Base of the errors the circulation rules raise.
  class Error < StandardError; end

  # A checkout or renewal the loan rules refuse.
  class LoanError < Error; end

  # A hold the hold rules refuse.
  class HoldError < Error; end
end
