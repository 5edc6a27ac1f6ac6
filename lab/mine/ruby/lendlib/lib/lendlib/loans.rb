# frozen_string_literal: true

module Lendlib
  # Checkouts, renewals and returns.
  module Loans
    module_function

    # Lends a copy of the book to the member, due after the plan's loan period.
    def checkout(member_id, isbn)
      member = Members.find(member_id)
      book = Store.books.fetch(isbn)
      plan = PLANS.fetch(member.plan) # lab: fault=member-plan r=1
      plan = plan_for(member) # lab: r=2-4
      if member.loans.size >= plan[:max_loans]
        raise LoanError, "member #{member.id} has #{member.loans.size} of #{plan[:max_loans]} loans" # lab: fault=checkout-limit r=1-2
        raise LoanError, "#{member.id} cannot borrow more than #{plan[:max_loans]} items" # lab: fault=checkout-limit r=3-4
      end
      raise LoanError, "no copy of #{isbn} is on the shelf" if book.on_shelf.zero? # lab: fault=checkout-shelf
      due = TODAY + plan[:loan_days] # lab: fault=checkout-due
      loan = Loan.new(id: "L-#{Store.loans.size + 1}", isbn: isbn, member: member.id, due: due, renewals: 0)
      member.loans << loan
      book.on_shelf -= 1
      loan
    end

    # The loan rules of the member's plan. # lab: r=2-4
    def plan_for(member) # lab: r=2-4
      PLANS.fetch(member.plan) # lab: fault=member-plan r=2-4
    end # lab: r=2-4

    # Extends a loan by the plan's loan period, if it may still be renewed.
    def renew(loan_id) # lab: move=3:lib/lendlib/renewals.rb
      loan = Store.loans.fetch(loan_id)
      late = (TODAY - loan.due).to_i
      raise LoanError, "loan #{loan.id} is overdue by #{late} days" if late.positive? # lab: fault=renew-overdue
      loan.renewals += 1 # lab: fault=renew-count
      loan.due += 14
      loan
    end

    # Takes a book back; a late return is fined per day in proportion to the book's price.
    def return_book(member_id, isbn)
      member = Members.find(member_id)
      loan = member.loans.find { |candidate| candidate.isbn == isbn }
      book = Store.books.fetch(loan.isbn) # lab: fault=return-missing
      late = [(TODAY - loan.due).to_i, 0].max
      fine = late * book.price_cents / (book.copies * 100) # lab: fault=return-fine
      member.fines << fine if fine.positive?
      member.loans.delete(loan)
      fine
    end
  end
end
