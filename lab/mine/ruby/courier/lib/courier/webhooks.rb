# frozen_string_literal: true

require "uri"

module Courier
  # Outgoing webhooks: where and how long to wait.
  module Channels
    module_function

    # lab: moved-here
  end
end
