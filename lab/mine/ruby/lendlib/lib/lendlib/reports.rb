# frozen_string_literal: true

module Lendlib
  # Branch reports for the managers.
  module Reports
    module_function

    # Loans, renewals per loan and days left on average for the branch's desk loans.
    def branch_summary(name) # lab: r=1-3
    def summary_for(name) # lab: r=4
      ids = BRANCHES.fetch(name) # lab: fault=report-branch
      loans = ids.map { |id| Store.loans.fetch(id) }
      days = loans.sum { |loan| (loan.due - TODAY).to_i }
      { branch: name, loans: loans.size, average_days_left: days / loans.size } # lab: fault=report-average
    end
  end
end
