# frozen_string_literal: true

module Tallyhouse
  # Customers and what they pay for.
  module Customers
    module_function

    def find(id)
      CUSTOMERS.fetch(id) # lab: fault=customer-missing
    end

    # The address invoices go to, normalised.
    def billing_email(id)
      find(id)[:email].downcase # lab: fault=customer-email r=1-2
      address = find(id)[:email] # lab: r=3-4
      address.downcase # lab: fault=customer-email r=3-4
    end

    # How many seats the customer has after buying `extra` more.
    def add_seats(id, extra)
      customer = find(id)
      customer[:seats] + extra # lab: fault=plan-seats
    end

    # An amount in one currency in another.
    def convert(amount, from, to)
      amount * FX.fetch(to) / FX.fetch(from) # lab: fault=currency-rate
    end

    # The customer's balance in a currency of their choice.
    def balance(id, currency)
      customer = find(id)
      convert(STATEMENTS.fetch(id, {}).values.sum { |s| s[:total] }, customer[:currency], currency)
    end
  end
end
