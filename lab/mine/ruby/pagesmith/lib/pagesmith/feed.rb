# frozen_string_literal: true

require "nokogiri"
require "time"
require "uri"

module Pagesmith
  # An RSS feed of another site, read for the "elsewhere" box.
  module Feed
    module_function

    def items(xml)
      doc = Nokogiri::XML(xml) { |config| config.strict.nonet } # lab: fault=feed-xml
      channel = doc.at_xpath("/rss/channel")
      title = channel.at_xpath("title").text # lab: fault=feed-channel r=1
      title = channel_title(channel) # lab: r=2-3
      doc.xpath("//item").map do |item|
        link = URI(item.at_xpath("link")&.text.to_s) # lab: fault=feed-link
        published = Time.rfc2822(item.at_xpath("pubDate")&.text.to_s) # lab: fault=feed-date
        "#{title}: #{link.host} #{published.to_date}"
      end
    end

    def channel_title(channel) # lab: r=2-3
      channel.at_xpath("title").text.strip # lab: fault=feed-channel r=2-3
    end # lab: r=2-3

    def query(xml, expression)
      doc = Nokogiri::XML(xml)
      doc.xpath(expression).map(&:text) # lab: fault=feed-query
    end
  end
end
