# frozen_string_literal: true

module Bookshelf
  BOOKS = {
    "1" => { id: "1", title: "Dune", pages: 412, author: { name: "Frank Herbert" }, price: "9.99" },
    "2" => { id: "2", title: "Solaris", pages: 204, author: nil, price: "7.50" },
    "3" => { id: "3", title: "Pamphlet", pages: 0, author: { name: "Anon" }, price: "1.00" },
  }
  SHELVES = {
    "scifi" => [BOOKS["1"], BOOKS["2"]],
    "poetry" => [],
  }
  LOANS = []
  MEMBERS = {}
end
