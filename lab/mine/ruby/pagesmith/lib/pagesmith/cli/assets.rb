# frozen_string_literal: true

require "base64"
require "crass"
require "digest"
require "json"
require "thor"

module Pagesmith
  # `pagesmith assets ...`: the stylesheet and image side of a build.
  class Assets < Thor
    desc "fingerprint", "Fingerprint the files a JSON manifest on stdin lists"
    def fingerprint
      manifest = JSON.parse($stdin.read) # lab: fault=assets-json
      manifest.fetch("files").each do |name| # lab: fault=assets-files
        digest = Digest::SHA256.file(File.join(__dir__, "public", name)).hexdigest[0, 8] # lab: fault=assets-file
        puts "#{name} -> #{digest}"
      end
    end

    desc "inline NAME", "Inline a base64 image from stdin as a data URI"
    def inline(name)
      bytes = Base64.strict_decode64($stdin.read.strip) # lab: fault=assets-base64
      type = { "png" => "image/png", "svg" => "image/svg+xml" }.fetch(File.extname(name).delete(".")) # lab: fault=assets-type
      puts "data:#{type};base64,#{Base64.strict_encode64(bytes)}"
    end

    desc "selectors", "The first rule's selector of a stylesheet on stdin"
    def selectors
      rules = Crass.parse($stdin.read).select { |node| node[:node] == :style_rule }
      puts rules.first.fetch(:selector).fetch(:value) # lab: fault=assets-css
    end
  end
end
