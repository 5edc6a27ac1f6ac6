# frozen_string_literal: true

require "base64"
require "uri"

module Courier
  CONTACTS = {
    "u1" => { email: "ada@example.org", phone: "+4915112345678", devices: ["dGtuLTE="] },
    "u2" => { email: nil, phone: nil, devices: [] },
    "u3" => { email: "kim@example.com", phone: "+15551234567", devices: ["YQ=="] },
    "u4" => { email: "lea@example.net", phone: "+49 151 9876", devices: [] },
  }.freeze
  PREFIXES = { "49" => "DE", "33" => "FR", "31" => "NL" }.freeze

  module Channels
    module_function

    def email(message)
      contact = CONTACTS.fetch(message.fetch("user")) # lab: fault=email-user
      address = URI::MailTo.build([contact[:email], [["subject", message["subject"]]]]) # lab: fault=email-address
      address.to_s
    end

    def sms(message)
      contact = CONTACTS[message["user"]]
      # Numbers are stored in E.164; the plus is not dialled. # lab: r=2-3
      digits = contact[:phone].delete_prefix("+") # lab: fault=sms-phone
      country = PREFIXES.fetch(digits[0, 2]) # lab: fault=sms-country
      "#{country}:#{Integer(digits, 10) % 10_000}" # lab: fault=sms-digits
    end

    def push(message)
      devices = CONTACTS.fetch(message["user"], { devices: [] })[:devices]
      token = Base64.strict_decode64(message.fetch("token") { devices.first }) # lab: fault=push-token
      token.unpack1("N") + Integer(message["badge"] || 0) # lab: fault=push-badge
    end

    def webhook(message) # lab: move=3:lib/courier/webhooks.rb
      target = URI.parse(message["url"]) # lab: fault=webhook-url
      raise ArgumentError, "webhook #{target} is not HTTPS" unless target.scheme == "https" # lab: fault=webhook-scheme
      timeout = Float(message.fetch("timeout", "5")) # lab: fault=webhook-timeout
      [target.host, timeout]
    end
  end
end
