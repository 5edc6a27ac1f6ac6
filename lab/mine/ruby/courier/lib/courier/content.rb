# frozen_string_literal: true

require "erb"
require "shellwords"
require "time"

module Courier
  TEMPLATES = {
    "welcome" => "Hello <%= name %>, welcome!",
    "invoice" => "Invoice <%= number %> of <%= format('%.2f', total) %>",
  }.freeze

  module Content
    module_function

    def template(message)
      source = TEMPLATES.fetch(message.fetch("template")) # lab: fault=template-name
      ERB.new(source).result_with_hash(message.fetch("vars").transform_keys(&:to_sym)) # lab: fault=template-render
    end

    def digest(message)
      items = message.fetch("items")
      per_day = items.size / Integer(message["days"]) # lab: fault=digest-days r=1
      days = Integer(message["days"]) # lab: fault=digest-days r=2-3
      per_day = items.size / days # lab: fault=digest-days:zero r=2-3
      headline = items.max_by { |item| item["score"] }.fetch("title") # lab: fault=digest-headline
      "#{headline} (+#{per_day}/day)"
    end

    def batch(message)
      recipients = Shellwords.split(message["to"].to_s) # lab: fault=batch-split
      recipients.each_slice(Integer(message.fetch("size", 50))).to_a.size # lab: fault=batch-slice
    end

    def schedule(message)
      at = Time.iso8601(message["at"].to_s) # lab: fault=schedule-at r=1-2
      at = Time.iso8601(message.fetch("at", "").strip) # lab: fault=schedule-at r=3
      quiet = message.fetch("quiet").split("-").map { |hour| Integer(hour, 10) } # lab: fault=schedule-quiet
      (quiet.first..quiet.last).cover?(at.hour) ? at + 3600 * (quiet.last - at.hour) : at
    end
  end
end
