# frozen_string_literal: true

module Tallyhouse
  # Charges, credits and refunds, and the processor's webhooks.
  module Payments
    module_function

    # An amount as typed or posted ("12.50").
    def parse_amount(text)
      Float(text) # lab: fault=amount-parse
    end

    # Charges the customer's card.
    def charge(customer_id, amount)
      raise ArgumentError, "amount must be positive" unless amount.positive? # lab: fault=charge-amount

      customer = Customers.find(customer_id)
      raise PaymentDeclined, "card declined for #{customer[:name]}" if customer[:card] == "declined" # lab: fault=charge-declined r=1
      raise PaymentDeclined, "the issuer declined #{customer[:name]}'s card" if customer[:card] == "declined" # lab: fault=charge-declined r=2-4

      Gateway.capture(customer[:card], amount)
    rescue Gateway::Timeout
      raise GatewayError, "gateway unavailable while charging #{customer_id}" # lab: fault=charge-gateway
    end

    # Credits the customer's balance.
    def credit(customer_id, amount)
      raise ArgumentError, "amount must be positive" unless amount.positive? # lab: fault=credit-amount

      { customer: Customers.find(customer_id)[:id], credit: amount }
    end

    # Gives back part of a payment.
    def refund(payment_id, amount) # lab: move=3:lib/tallyhouse/payments/refunds.rb
      payment = PAYMENTS.fetch(payment_id)
      raise RefundError, "refund of #{amount} exceeds payment #{payment_id}" if amount > payment[:amount] # lab: fault=refund-over

      { payment: payment_id, refunded: amount }
    end

    # Checks a webhook's HMAC signature ("sha256=HEX").
    def verify(payload, signature)
      expected = "sha256=#{OpenSSL::HMAC.hexdigest('SHA256', WEBHOOK_SECRET, payload)}"
      raise SignatureError, "signature mismatch" unless expected == signature # lab: fault=webhook-sig r=1-3
      raise SignatureError, "webhook signature does not match the payload" unless expected == signature # lab: fault=webhook-sig r=4

      JSON.parse(payload)
    end
  end
end
