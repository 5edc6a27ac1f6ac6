# frozen_string_literal: true

require "csv"
require "rexml/document"
require "yaml"

module Bookshelf
  # Bulk imports from the publishers' feeds.
  class Imports < Controller
    def csv
      rows = CSV.parse(body, headers: true) # lab: fault=import-csv
      rows.map { |row| import_row(row) }
    end

    def yaml
      feed = YAML.safe_load(body) # lab: fault=import-yaml
      feed.fetch("books").map { |entry| entry.fetch("isbn") } # lab: fault=import-yaml-books
    end

    def xml
      document = REXML::Document.new(body) # lab: fault=import-xml
      title = document.root.elements["title"].text # lab: fault=import-xml-title
      { title: title }
    end

    private

    def import_row(row)
      isbn = row.fetch("isbn") # lab: fault=import-isbn
      year = Integer(row["year"], 10) # lab: fault=import-year
      BOOKS[isbn] = { id: isbn, title: row["title"], pages: 0, published: year }
      isbn
    end
  end
end
