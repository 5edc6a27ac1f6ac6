# frozen_string_literal: true

require "ipaddr"

module Nightshift
  class Denied < StandardError; end

  module Jobs
    # net.allow: is a client inside the allowed ranges? {"allow": [cidr, ...], "client": ip}
    class Network
      def perform(args)
        ranges = args.fetch("allow").map { |cidr| IPAddr.new(cidr) } # lab: fault=allow-cidr
        client = IPAddr.new(args["client"].to_s) # lab: fault=allow-client
        return client.to_s if ranges.any? { |range| range.include?(client) }

        raise Denied, "#{client} is not in #{ranges.size} allowed ranges" # lab: fault=allow-denied
      end
    end
  end
end
