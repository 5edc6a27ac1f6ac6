# frozen_string_literal: true

require "csv"

module Nightshift
  module Jobs
    # export.rows: {"csv": "id,qty\n..."} as "id:qty" lines
    class Export
      def perform(args)
        table = CSV.parse(args.fetch("csv"), headers: true) # lab: fault=export-csv r=1
        rows = CSV.parse(args.fetch("csv"), headers: true) # lab: fault=export-csv r=2-3
        table.map do |row| # lab: r=1
        rows.map do |row| # lab: r=2-3
          id = row.fetch("id") # lab: fault=export-id
          quantity = Integer(row["qty"], 10) # lab: fault=export-qty
          "#{id}:#{quantity}"
        end
      end
    end
  end
end
