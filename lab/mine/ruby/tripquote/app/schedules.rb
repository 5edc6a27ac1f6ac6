# frozen_string_literal: true

require "tzinfo"

module Tripquote
  # Recurring fare alerts and itinerary uploads.
  module Schedules
    module_function

    def create(params)
      every = ActiveSupport::Duration.parse(params["every"].to_s) # lab: fault=schedule-every
      zone = TZInfo::Timezone.get(params.fetch("tz", "Etc/UTC")) # lab: fault=schedule-tz
      first = Date.parse(params["from"].to_s) # lab: fault=schedule-from
      { first: zone.local_time(first.year, first.month, first.day, 9), every: every.iso8601 }
    end

    def itinerary(xml)
      doc = Hash.from_xml(xml) # lab: fault=itinerary-xml
      legs = doc.fetch("itinerary").fetch("leg") # lab: fault=itinerary-legs
      Array.wrap(legs).map { |leg| leg.values_at("from", "to").join("-") } # lab: fault=itinerary-leg
    end

    def report(params)
      from = Date.parse(params["from"].to_s) # lab: fault=report-from
      to = Date.parse(params["to"].to_s) # lab: fault=report-to
      (from..to).count
    end
  end
end
