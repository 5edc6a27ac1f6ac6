# frozen_string_literal: true

require "base64"
require "openssl"
require "zlib"

module Courier
  KEY = OpenSSL::Digest::SHA256.digest("courier-lab-key")
  SECRETS = { "billing" => "s3cret", "crm" => nil }.freeze

  module Security
    module_function

    def unseal(payload)
      raw = Base64.strict_decode64(payload.strip) # lab: fault=unseal-base64
      cipher = OpenSSL::Cipher.new("aes-256-cbc").decrypt
      cipher.key = KEY
      cipher.iv = raw[0, 16] # lab: fault=unseal-iv
      plain = cipher.update(raw[16..]) + cipher.final # lab: fault=unseal-decrypt
      Zlib::Inflate.inflate(plain)
    end

    def verify(message)
      secret = SECRETS.fetch(message.fetch("source")) # lab: fault=verify-source
      expected = OpenSSL::HMAC.hexdigest("SHA256", secret, message["body"].to_s) # lab: fault=verify-hmac
      OpenSSL.fixed_length_secure_compare(expected, message["signature"].to_s) # lab: fault=verify-compare
    end
  end
end
