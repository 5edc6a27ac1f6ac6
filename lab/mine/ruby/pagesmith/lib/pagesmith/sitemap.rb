# frozen_string_literal: true

require "builder"
require "date"
require "uri"

module Pagesmith
  # sitemap.xml from "path,lastmod,priority" lines.
  module Sitemap
    module_function

    def write(base, lines)
      xml = Builder::XmlMarkup.new(indent: 2)
      xml.urlset(xmlns: "http://www.sitemaps.org/schemas/sitemap/0.9") do
        lines.each do |line|
          path, lastmod, priority = line.strip.split(",")
          xml.url do
            xml.loc(URI.join(base, path.to_s).to_s) # lab: fault=sitemap-join
            xml.lastmod(Date.iso8601(lastmod.to_s).to_s) # lab: fault=sitemap-lastmod
            xml.priority(format("%.1f", Float(priority))) # lab: fault=sitemap-priority
          end
        end
      end
    end
  end
end
