# frozen_string_literal: true

module Ledger
  RATES = {
    "EUR" => { "USD" => Rational(108, 100), "GBP" => Rational(86, 100) },
    "USD" => { "EUR" => Rational(93, 100) },
  }.freeze
  TAX = { "DE" => 19, "FR" => 20, "NL" => 21 }.freeze

  module Money
    module_function

    def convert(amount, from, to)
      rate = RATES.fetch(from).fetch(to) # lab: fault=fx-rate r=1-2
      table = RATES.fetch(from.upcase) # lab: fault=fx-rate:from r=3
      rate = table.fetch(to.upcase) # lab: fault=fx-rate:to r=3
      (Rational(amount) * rate).round(2) # lab: fault=fx-amount
    end

    def split(amount, parts)
      share = Integer(amount) / Integer(parts) # lab: fault=split-parts r=1
      Array.new(Integer(parts) - 1, share) # lab: fault=split-array r=1
      share = Integer(amount, 10) / Integer(parts, 10) # lab: fault=split-parts r=2-3
      Array.new(Integer(parts, 10) - 1, share) # lab: fault=split-array r=2-3
    end

    def tax(country)
      TAX.fetch(country.upcase) # lab: fault=tax-country
    end

    def compound(rate, years) # lab: move=3:lib/ledger/growth.rb
      Math.log(1 + Float(rate)) * Integer(years) # lab: fault=compound-log
    end
  end
end
