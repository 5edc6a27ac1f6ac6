# frozen_string_literal: true

require "date"

module Pagesmith
  LAYOUTS = {
    "page" => "<h1><%= title %></h1><p><%= date.strftime('%d %b %Y') %></p>",
    "post" => "<h1><%= title %></h1><p>by <%= author.fetch('name') %>, <%= words %> words</p>",
    "card" => "<div class=\"card\"><%= title %>: <%= summary %></div>",
  }.freeze

  # A page: its settings checked, its layout rendered.
  module Page
    module_function

    def build(text)
      settings, body = FrontMatter.parse(text)
      title = settings.fetch("title") # lab: fault=build-title
      layout = LAYOUTS.fetch(settings.fetch("layout", "page")) # lab: fault=build-layout
      date = Date.iso8601(settings["date"].to_s) # lab: fault=build-date r=1
      published = settings["date"].to_s.strip # lab: r=2-3
      date = Date.iso8601(published) # lab: fault=build-date r=2-3
      words = body.split.size # lab: fault=build-body
      Templates.render(layout, title: title, date: date, words: words, author: settings["author"])
    end
  end

  module FrontMatter
    module_function

    # lab: moved-here
  end
end
