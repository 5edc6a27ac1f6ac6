# frozen_string_literal: true

module Tallyhouse
  # Sends mail through the relay (simulated: .invalid domains and missing addresses fail).
  module Mailer
    module_function

    def deliver(to, subject)
      raise IOError, "no route to #{to.inspect}" if to.nil? || to.end_with?(".invalid")

      { to: to, subject: subject }
    end
  end
end
