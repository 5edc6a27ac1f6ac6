# frozen_string_literal: true

module Lendlib
  # Loads acquisitions from the supplier's CSV: isbn,title,copies,acquired.
  module Imports
    module_function

    def acquisitions(text)
      CSV.parse(text, headers: true).map do |row|
        isbn = row.fetch("isbn") # lab: fault=import-isbn
        copies = Integer(row["copies"]) # lab: fault=import-copies
        acquired = Date.iso8601(row["acquired"].to_s) # lab: fault=import-date
        Store.books[isbn] = Book.new(isbn: isbn, title: row["title"], copies: copies, on_shelf: copies,
                                     price_cents: 0, holds: [], shelf: { room: "NEW", bay: acquired.month })
      end.size
    end
  end
end
