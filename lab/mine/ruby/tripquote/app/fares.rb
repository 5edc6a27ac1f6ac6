# frozen_string_literal: true

require "bigdecimal"
require "bigdecimal/util"

module Tripquote
  RATES = { "EUR" => "1", "USD" => "1.08", "GBP" => "0.86", "CHF" => "0.95" }.freeze

  # Money: fares are decimal strings in a currency, converted at fixed rates.
  module Fares
    module_function

    def amount(value)
      BigDecimal(value) # lab: fault=fare-amount
    end

    def convert(amount, from, to)
      rate = RATES.fetch(to).to_d / RATES.fetch(from).to_d # lab: fault=fare-currency
      (amount * rate).round(2)
    end
  end
end
