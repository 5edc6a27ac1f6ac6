# frozen_string_literal: true

module Lendlib
  # Holds: members queue for books that are out.
  module Holds
    module_function

    # Queues the member for the book.
    def place(isbn, member_id, options = {})
      book = Store.books.fetch(isbn)
      if book.holds.any? { |hold| hold[:member] == member_id }
        raise HoldError, "member #{member_id} already holds #{isbn}" # lab: fault=hold-duplicate
      end
      settings = options.empty? ? HOLD_DEFAULTS : options
      settings[:placed] = TODAY # lab: fault=hold-frozen
      book.holds << settings.merge(member: member_id)
    end

    # The member first in line for a returned copy.
    def next_in_line(isbn) # lab: move=4:lib/lendlib/notifications.rb
      book = Store.books.fetch(isbn)
      Members.find(book.holds.first[:member]) # lab: fault=hold-next
    end
  end
end
