# frozen_string_literal: true

require "loofah"
require "thor"

module Pagesmith
  SCRUBBERS = %w[strip prune escape whitewash].freeze

  # The command line.
  class CLI < Thor
    def self.exit_on_failure?
      true
    end

    desc "build", "Build a page (front matter and body on stdin)"
    def build
      puts Page.build($stdin.read)
    end

    desc "feed", "The items of an RSS feed on stdin"
    def feed
      puts Feed.items($stdin.read)
    end

    desc "query XPATH", "Query an XML document on stdin"
    def query(expression)
      puts Feed.query($stdin.read, expression)
    end

    desc "sanitize SCRUBBER", "Sanitize an HTML fragment on stdin"
    def sanitize(scrubber)
      fragment = Loofah.fragment($stdin.read).scrub!(scrubber.to_sym) # lab: fault=sanitize-scrubber
      puts fragment.at_css("h1").text # lab: fault=sanitize-heading
    end

    desc "sitemap BASE", "sitemap.xml from path,lastmod,priority lines on stdin"
    def sitemap(base)
      puts Sitemap.write(base, $stdin.each_line.to_a)
    end

    desc "translate KEY LOCALE [NAME=VALUE...]", "One interface string"
    def translate(key, locale, *pairs)
      values = pairs.to_h { |pair| pair.split("=", 2).then { |name, value| [name.to_sym, value] } }
      puts Templates.translate(key, locale, values)
    end

    desc "paginate TOTAL PER_PAGE", "Pages of a listing"
    def paginate(total, per_page)
      count = Integer(total, 10) # lab: fault=paginate-total
      pages = (count + Integer(per_page, 10) - 1) / Integer(per_page, 10) # lab: fault=paginate-per r=1
      size = Integer(per_page, 10) # lab: fault=paginate-per r=2-3
      pages = (count + size - 1) / size # lab: fault=paginate-per:zero r=2-3
      puts Templates.translate("nav.next", "en", page: 1, pages: pages)
    end

    desc "assets SUBCOMMAND", "Stylesheets and images"
    subcommand "assets", Assets
  end
end
