# frozen_string_literal: true

module Lendlib
  Book = Struct.new(:isbn, :title, :copies, :on_shelf, :price_cents, :shelf, :holds, keyword_init: true)
  Member = Struct.new(:id, :name, :plan, :email, :card, :loans, :fines, keyword_init: true)
  Loan = Struct.new(:id, :isbn, :member, :due, :renewals, keyword_init: true)

  TODAY = Date.new(2024, 6, 3)
  PLANS = {
    "adult" => { max_loans: 5, loan_days: 21, renewals: 2 },
    "child" => { max_loans: 3, loan_days: 14, renewals: 1 },
    "student" => { max_loans: 8, renewals: 3 }
  }.freeze
  HOLD_DEFAULTS = { notify: "email", expires_in: 7 }.freeze
  BRANCHES = { "central" => %w[L-1 L-2 L-3], "harbour" => [], "north" => %w[L-4] }.freeze

  # The lending data (a database in production), seeded the same for every job.
  module Store
    class << self
      attr_reader :books, :members, :loans

      def reset!
        @books = {
          "B1" => Book.new(isbn: "B1", title: "The Tide Atlas", copies: 3, on_shelf: 2, price_cents: 1800,
                           shelf: { room: "A", bay: 4 }, holds: []),
          "B2" => Book.new(isbn: "B2", title: "Small Engines", copies: 1, on_shelf: 0, price_cents: 2400,
                           shelf: { room: "B", bay: 1 }, holds: [{ member: "M-1", placed: TODAY - 3 }]),
          "B3" => Book.new(isbn: "B3", title: "Salt and Stone", copies: 2, on_shelf: 1, price_cents: 1500, holds: []),
          "B4" => Book.new(isbn: "B4", title: "Lost Maps", copies: 0, on_shelf: 0, price_cents: 3000,
                           shelf: { room: "C", bay: 2 }, holds: [])
        }
        @members = {
          "M-1" => Member.new(id: "M-1", name: "Ada", plan: "adult", email: "ada@example.org", card: "4012888812",
                              loans: [], fines: [250, 100]),
          "M-2" => Member.new(id: "M-2", name: "Ken", plan: "child", email: nil, card: "55550000",
                              loans: [], fines: [50, "12.50"]),
          "M-3" => Member.new(id: "M-3", name: "Hedy", plan: "student", email: "hedy@example.org", card: "601100",
                              loans: [], fines: []),
          "M-4" => Member.new(id: "M-4", name: "Alan", plan: "legacy", email: "alan@example.org", card: "3782822",
                              loans: [], fines: [])
        }
        @loans = {
          "L-1" => Loan.new(id: "L-1", isbn: "B1", member: "M-1", due: TODAY + 5, renewals: 0),
          "L-2" => Loan.new(id: "L-2", isbn: "B2", member: "M-2", due: TODAY - 12, renewals: 1),
          "L-3" => Loan.new(id: "L-3", isbn: "B4", member: "M-1", due: TODAY - 4, renewals: 0),
          "L-4" => Loan.new(id: "L-4", isbn: "B3", member: "M-3", due: TODAY + 9, renewals: nil)
        }
        @loans.each_value { |loan| @members[loan.member].loans << loan }
        @members["M-2"].loans.push(*Array.new(2) { |i| Loan.new(id: "L-9#{i}", isbn: "B1", member: "M-2", due: TODAY + i) })
      end
    end
  end
end
