# frozen_string_literal: true

require "bigdecimal"
require "csv"
require "date"

module Ledger
  ACCOUNTS = {
    "cash" => { name: "Cash", entries: [BigDecimal("120.50"), BigDecimal("-20")] },
    "bank" => { name: "Bank", entries: [] },
    "loans" => { name: nil, entries: [BigDecimal("1000")] },
  }.freeze
  DEFAULTS = { "currency" => +"EUR", "rounding" => "half_even" }.freeze
  DEFAULTS["currency"].freeze

  # One journal line of an import.
  Entry = Struct.new(:date, :account, :amount, :memo, keyword_init: true)

  module Books
    module_function

    def parse_rows(text)
      CSV.parse(text, headers: true) # lab: fault=import-csv
    end

    def entry(row)
      Entry.new(
        date: Date.strptime(row["date"].to_s, "%d/%m/%Y"), # lab: fault=import-date
        account: row.fetch("account"), # lab: fault=import-account
        amount: BigDecimal(row["amount"].to_s), # lab: fault=import-amount
        memo: row["memo"].to_s.encode("US-ASCII"), # lab: fault=import-memo
      )
    end

    def account(name)
      ACCOUNTS.fetch(name) # lab: fault=account-missing
    end

    def average(name)
      entries = account(name)[:entries] # lab: r=1-2
      entries.sum / entries.size # lab: fault=balance-average r=1-2
      movements = account(name).fetch(:entries) # lab: r=3
      movements.sum / movements.size # lab: fault=balance-average r=3
    end

    def month_end(period)
      year, month = period.split("-").map { |part| Integer(part, 10) } # lab: fault=close-period
      Date.new(year, month, -1) # lab: fault=close-date
    end
  end
end
