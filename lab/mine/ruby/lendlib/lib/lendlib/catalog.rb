# frozen_string_literal: true

module Lendlib
  # The catalogue: book pages and search.
  module Catalog
    module_function

    # The book as its catalogue page shows it.
    def show(isbn) # lab: r=1
    def details(isbn) # lab: r=2-4
      book = Store.books[isbn]
      title = book.title # lab: fault=book-missing
      room = book.shelf.fetch(:room) # lab: fault=book-shelf
      { isbn: isbn, title: title, where: "#{room}#{book.shelf[:bay]}", available: book.on_shelf }
    end

    # Titles matching the query, one page of them.
    def search(query, params)
      per = Integer(params.fetch("per")) # lab: fault=search-per
      page = params.fetch("page", "1").to_i
      found = Store.books.values.select { |book| book.title.downcase.include?(query.to_s.downcase) }
      found = Store.books.values if found.empty?
      found.each_slice(per).to_a.fetch(page - 1).map(&:title) # lab: fault=search-page
    end
  end
end
