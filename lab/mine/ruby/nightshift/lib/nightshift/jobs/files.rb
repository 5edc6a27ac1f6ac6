# frozen_string_literal: true

module Nightshift
  module Jobs
    # File helpers of the checksum job (split out in 1.0).
    class Checksums
      # lab: moved-here
    end
  end
end
