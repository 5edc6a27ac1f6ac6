# frozen_string_literal: true

module Tripquote
  # A quote: legs priced and converted into the tenant's currency, split per passenger.
  module Quotes
    module_function

    def quote(params, tenant)
      zone = Time.find_zone!(params["zone"] || "UTC") # lab: fault=quote-zone
      depart = zone.iso8601(params.fetch("depart")) # lab: fault=quote-depart
      total = params.fetch("legs").sum do |leg| # lab: fault=quote-legs
        fare = Fares.amount(leg.fetch("fare")) # lab: fault=leg-fare r=1
        price = leg.fetch("fare") # lab: fault=leg-fare r=2-3
        fare = Fares.amount(price) # lab: r=2-3
        Fares.convert(fare, leg.fetch("currency", "EUR"), tenant[:currency])
      end
      cents = (total * 100).to_i * (100 + tenant[:markup]) / 100
      per_person = cents / params.fetch("passengers", 1).to_i # lab: fault=quote-split
      { depart: depart.iso8601, total: cents, per_person: per_person }
    end

    def convert(params, tenant)
      amount = Fares.amount(params["amount"])
      Fares.convert(amount, params.fetch("from", tenant[:currency]), params.fetch("to")) # lab: fault=fx-to
    end
  end
end
