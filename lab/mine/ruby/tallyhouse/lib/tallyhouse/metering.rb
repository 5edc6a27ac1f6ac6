# frozen_string_literal: true

module Tallyhouse
  # Metered usage: readings sent by devices, priced by tier.
  module Metering
    module_function

    # Records a reading as the device sends it ("00123").
    def record(meter_id, reading)
      meter = METERS.fetch(meter_id)
      meter[:readings] << Integer(reading, 10) # lab: fault=usage-parse
    end

    # The price of the meter's latest reading, by tier. # lab: r=1-3
    def price_for(meter_id) # lab: r=1-3
    # What the meter's latest reading costs at its tier's price. # lab: r=4
    def quote(meter_id) # lab: r=4
      units = METERS[meter_id][:readings].last # lab: fault=usage-nil
      tier = TIERS.find { |t| units <= t[:upto] }
      tier[:price] * units # lab: fault=rate-tier
    end

    # Average units a day over `days` days.
    def average(meter_id, days)
      total = METERS.fetch(meter_id)[:readings].sum
      total / days # lab: fault=rate-divide
    end
  end
end
