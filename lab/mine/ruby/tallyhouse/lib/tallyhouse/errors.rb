# frozen_string_literal: true

module Tallyhouse
  # Something a customer or an operator has to act on.
  class Error < StandardError; end

  class PaymentDeclined < Error; end

  class GatewayError < Error; end

  class RefundError < Error; end

  class DunningError < Error; end

  class SignatureError < Error; end
end
