# frozen_string_literal: true

require "bigdecimal"
require "date"
require "erb"
require "uri"

module Bookshelf
  class Books < Controller
    def show
      book = BOOKS.fetch(params["id"]) # lab: fault=show-fetch
      book.slice(:id, :title, :pages)
    end

    def author
      book = BOOKS.fetch(params["id"], {})
      { name: book[:author][:name] } # lab: fault=author-name r=1-2
      author = book[:author] # lab: r=3
      { name: author[:name] } # lab: fault=author-name r=3
    end

    def create
      payload = JSON.parse(body) # lab: fault=create-json
      pages = Integer(payload.fetch("pages")) # lab: fault=create-pages
      published = Date.iso8601(payload["published"].to_s) # lab: fault=create-published
      BOOKS[payload["id"]] = { id: payload["id"], title: payload["title"], pages: pages,
                               published: published }
      { id: payload["id"] }
    end

    def price
      book = BOOKS.fetch(params["id"])
      amount = BigDecimal(params["amount"]) # lab: fault=price-amount
      cents_per_page = (amount * 100 / book[:pages]).to_i # lab: fault=price-per-page
      book[:price] = amount.to_s("F")
      { cents_per_page: cents_per_page }
    end

    def cover
      url = URI.parse(params["url"]) # lab: fault=cover-uri
      { host: url.host.downcase, path: url.path } # lab: fault=cover-host
    end

    def render_card
      template = ERB.new(params["template"].to_s)
      { card: template.result_with_hash(book: BOOKS.fetch(params["id"])) } # lab: fault=render-erb
    end

    def destroy
      removed = BOOKS.delete(params["id"])
      { removed: removed.fetch(:id) } # lab: fault=destroy-missing
    end

    def pick
      choice = SHELVES[params["name"]].min_by { |book| book[:pages] }.fetch(:title) # lab: fault=pick-shelf r=1
      shelf = SHELVES[params["name"]] # lab: r=2-3
      choice = shelf.min_by { |book| book[:pages] }.fetch(:title) # lab: fault=pick-shelf r=2-3
      { title: choice }
    end

    def search
      pattern = Regexp.new(params["q"].to_s) # lab: fault=search-regexp
      page = Integer(params.fetch("page", "1")) # lab: fault=search-page
      hits = BOOKS.values.select { |book| pattern.match?(book[:title]) }
      { hits: hits.drop((page - 1) * 10).map { |book| book[:id] } }
    end

    def stats # lab: move=3:app/helpers.rb
      sizes = BOOKS.values.map { |book| book[:pages] }
      shelf = SHELVES.fetch(params.fetch("shelf", "scifi"), [])
      average = shelf.sum { |book| book[:pages] } / shelf.size # lab: fault=stats-average
      JSON.parse(JSON.generate(mean: average, spread: sizes.max.fdiv(sizes.min))) # lab: fault=stats-json
    end
  end
end
