# frozen_string_literal: true

require "time"

module Nightshift
  module Jobs
    # cleanup.older: {"before": "YYYY-MM-DD", "keep": "1/2"}
    class Cleanup
      def perform(args)
        before = Time.strptime(args["before"].to_s, "%Y-%m-%d") # lab: fault=cleanup-before
        keep = Rational(args.fetch("keep", "1/2")) # lab: fault=cleanup-keep
        "#{before.to_date}: keep #{(keep * 100).round}%"
      end
    end
  end
end
