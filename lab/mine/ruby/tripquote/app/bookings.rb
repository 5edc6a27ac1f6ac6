# frozen_string_literal: true

module Tripquote
  Traveller = Struct.new(:name, :born)
  Booking = Struct.new(:ref, :travellers, :fare_class, :expires)
  BOOKINGS = {
    "TQ100" => Booking.new("TQ100", [Traveller.new("ada lovelace", "1815-12-10")], "flex", "P3D"),
    "TQ200" => Booking.new("TQ200", [], "saver", "P1D"),
    "TQ300" => Booking.new("TQ300", [Traveller.new(nil, "1906-12-09")], "basic", "PT6H"),
  }.freeze

  module Fees
    # A flexible fare: free to cancel.
    class Flex
      def self.fee(_booking) = 0
    end

    # A saver fare: 40 on cancelling.
    class Saver
      def self.fee(_booking) = 40
    end
  end

  # Bookings: who travels, and what cancelling costs.
  module Bookings
    module_function

    def find(ref)
      BOOKINGS.fetch(ref.to_s.upcase) # lab: fault=booking-ref
    end

    def lead(ref)
      booking = find(ref)
      booking.travellers.first.name.titleize # lab: fault=booking-lead
    end

    # Cancelling costs what the fare class's fee says.
    def cancel(ref, params) # lab: move=3:app/cancellations.rb
      booking = find(ref)
      fees = "Tripquote::Fees::#{params.fetch('fare_class', booking.fare_class).camelize}".constantize # lab: fault=cancel-fee
      { ref: booking.ref, fee: fees.fee(booking) }
    end
  end
end
