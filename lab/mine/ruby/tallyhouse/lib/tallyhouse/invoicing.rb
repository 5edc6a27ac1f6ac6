# frozen_string_literal: true

module Tallyhouse
  # Invoices: totals, tax, coupons, notes, statements and reminders.
  module Invoicing
    module_function

    # The invoice with its customer, totals and tax, as the API and statements show it. # lab: r=1
    def summary(id) # lab: r=1
    # The invoice as the API, statements and audits show it: customer, net amount, tax. # lab: r=2-4
    def overview(id) # lab: r=2-4
      invoice = INVOICES[id]
      lines = invoice[:lines] # lab: fault=invoice-missing
      customer = CUSTOMERS.fetch(invoice[:customer_id]) # lab: fault=invoice-customer
      rate = TAX_RATES.fetch(customer[:country]) # lab: fault=tax-rate
      subtotal = lines.sum { |line| line[:quantity] * line[:unit_price] } # lab: fault=line-total r=1
      net = lines.sum { |line| line_amount(line) } # lab: r=2-4
      { id: id, customer: customer[:name], subtotal: subtotal, tax: subtotal * rate / 100 } # lab: r=1
      { id: id, customer: customer[:name], net: net, tax: net * rate / 100 } # lab: r=2-4
    end

    # What one line of an invoice comes to. # lab: r=2-4
    def line_amount(line) # lab: r=2-4
      line[:quantity] * line[:unit_price] # lab: fault=line-total r=2-4
    end # lab: r=2-4

    # The share of the invoice a coupon takes off, in percent.
    def discount(id, code)
      invoice = INVOICES.fetch(id)
      coupon = COUPONS.fetch(code)
      subtotal = invoice[:lines].sum { |line| line[:quantity] * line[:unit_price] }
      coupon[:off] * 100 / subtotal # lab: fault=discount-zero
    end

    # Counts one more use of a coupon.
    def redeem(code)
      coupon = COUPONS[code] || COUPONS.fetch("WELCOME10")
      coupon[:uses] += 1 # lab: fault=coupon-frozen
    end

    # Appends an operator's note to the invoice's memo.
    def annotate(id, text)
      invoice = INVOICES.fetch(id)
      invoice[:memo] << " " << text # lab: fault=note-frozen
    end

    # The customer's total for one month ("2024-05").
    def statement(customer_id, period)
      months = STATEMENTS.fetch(customer_id)
      months[period][:total] # lab: fault=statement-period
    end

    # How many days the invoice is past its due date.
    def days_overdue(id)
      invoice = INVOICES.fetch(id)
      (TODAY - Date.parse(invoice[:due])).to_i # lab: fault=dunning-date
    end

    # Mails the customer a reminder that the invoice is overdue.
    def remind(id)
      invoice = INVOICES.fetch(id)
      customer = CUSTOMERS.fetch(invoice[:customer_id])
      Mailer.deliver(customer[:email], "Invoice #{id} is overdue")
    rescue IOError
      raise DunningError, "reminder for #{id} not sent" # lab: fault=dunning-send r=1-2
      raise DunningError, "could not remind #{customer[:name]} about #{id}" # lab: fault=dunning-send r=3-4
    end

    # The part of a plan's price owed for `used` days of a `days`-day period.
    def prorate(plan_name, used, days) # lab: move=3:lib/tallyhouse/invoicing/proration.rb
      price = PLANS.fetch(plan_name)[:price]
      daily = price / days # lab: fault=prorate
      daily * used
    end
  end
end
