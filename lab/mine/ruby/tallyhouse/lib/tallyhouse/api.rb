# frozen_string_literal: true

module Tallyhouse
  # The HTTP API: a table of routes, each a method taking the request and the path's captures.
  class Api
    ROUTES = [
      ["GET", %r{\A/invoices/([\w-]+)\z}, :show_invoice],
      ["GET", %r{\A/v2/invoices/([\w-]+)\z}, :invoice_view], # lab: r=4
      ["POST", %r{\A/invoices/([\w-]+)/discount\z}, :apply_discount],
      ["POST", %r{\A/invoices/([\w-]+)/notes\z}, :add_note],
      ["GET", %r{\A/invoices/([\w-]+)/overdue\z}, :overdue],
      ["POST", %r{\A/invoices/([\w-]+)/remind\z}, :remind],
      ["POST", %r{\A/coupons/(\w+)/redeem\z}, :redeem_coupon],
      ["GET", %r{\A/customers/(\w+)/statements/([\w-]+)\z}, :statement],
      ["GET", %r{\A/customers/(\w+)/email\z}, :email],
      ["POST", %r{\A/customers/(\w+)/seats\z}, :add_seats],
      ["GET", %r{\A/customers/(\w+)/balance\z}, :balance],
      ["GET", %r{\A/plans/(\w+)/prorate\z}, :prorate],
      ["POST", %r{\A/meters/(\w+)/readings\z}, :record_reading],
      ["GET", %r{\A/meters/(\w+)/price\z}, :meter_price],
      ["GET", %r{\A/meters/(\w+)/average\z}, :meter_average],
      ["POST", %r{\A/charges\z}, :charge],
      ["POST", %r{\A/credits\z}, :credit],
      ["POST", %r{\A/refunds\z}, :refund],
      ["POST", %r{\A/webhooks/gateway\z}, :gateway_webhook]
    ].freeze

    def call(env)
      request = Rack::Request.new(env)
      ROUTES.each do |verb, pattern, action|
        next unless request.request_method == verb && (match = pattern.match(request.path_info))

        return [200, { "content-type" => "application/json" },
                [JSON.generate(send(action, request, *match.captures))]]
      end
      [404, {}, ["not found"]]
    end

    private

    def show_invoice(_request, id)
      Invoicing.summary(id) # lab: r=1
      Invoicing.overview(id) # lab: r=2-4
    end

    def invoice_view(_request, id) # lab: r=4
      { invoice: Invoicing.overview(id), links: { self: "/v2/invoices/#{id}" } } # lab: r=4
    end # lab: r=4

    def apply_discount(request, id)
      { percent: Invoicing.discount(id, request.params.fetch("code", "WELCOME10")) }
    end

    def add_note(request, id)
      Invoicing.annotate(id, request.body.read)
    end

    def overdue(_request, id)
      { days: Invoicing.days_overdue(id) }
    end

    def remind(_request, id)
      Invoicing.remind(id)
    end

    def redeem_coupon(_request, code)
      { uses: Invoicing.redeem(code) }
    end

    def statement(_request, customer_id, period)
      { total: Invoicing.statement(customer_id, period) }
    end

    def email(_request, id)
      { email: Customers.billing_email(id) }
    end

    def add_seats(request, id)
      { seats: Customers.add_seats(id, request.params["extra"]) }
    end

    def balance(request, id)
      { balance: Customers.balance(id, request.params["currency"]) }
    end

    def prorate(request, plan)
      { owed: Invoicing.prorate(plan, request.params["used"].to_i, request.params["days"].to_i) }
    end

    def record_reading(request, meter_id)
      Metering.record(meter_id, request.body.read)
    end

    def meter_price(_request, meter_id)
      { price: Metering.price_for(meter_id) } # lab: r=1-3
      { price: Metering.quote(meter_id) } # lab: r=4
    end

    def meter_average(request, meter_id)
      { average: Metering.average(meter_id, request.params["days"].to_i) }
    end

    def charge(request)
      Payments.charge(request.params["customer"], Payments.parse_amount(request.params["amount"]))
    end

    def credit(request)
      Payments.credit(request.params["customer"], Payments.parse_amount(request.params["amount"]))
    end

    def refund(request)
      Payments.refund(request.params["payment"], Payments.parse_amount(request.params["amount"]))
    end

    def gateway_webhook(request)
      Payments.verify(request.body.read, request.get_header("HTTP_X_SIGNATURE"))
    end
  end
end
