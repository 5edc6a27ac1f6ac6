# frozen_string_literal: true

require "base64"
require "stringio"
require "strscan"
require "zlib"

module Nightshift
  class FormatError < StandardError; end

  module Jobs
    # archive.unpack: {"blob": base64 of a gzip whose first line counts the entries after it}
    class Archive
      def perform(args)
        raw = Base64.strict_decode64(args.fetch("blob")) # lab: fault=archive-base64
        text = Zlib::GzipReader.new(StringIO.new(raw)).read # lab: fault=archive-gzip
        scanner = StringScanner.new(text)
        count = scanner.scan(/\d+/) or raise FormatError, "archive header missing at #{scanner.pos}" # lab: fault=archive-header
        entries = text.lines.drop(1)
        raise FormatError, "expected #{count} entries, got #{entries.size}" if entries.size != count.to_i # lab: fault=archive-count
        entries.map(&:strip)
      end
    end
  end
end
