# frozen_string_literal: true

require "psych"

module Pagesmith
  # YAML front matter between two `---` lines, then the page's body.
  module FrontMatter
    module_function

    # Splits a page into its settings and its body.
    def parse(text) # lab: move=3:lib/pagesmith/page.rb
      _, front, body = text.split(/^---\s*$/, 3)
      settings = Psych.safe_load(front.to_s) || {} # lab: fault=front-yaml
      [settings, body]
    end
  end
end
