# frozen_string_literal: true

module Tallyhouse
  # Background jobs on a pool of threads. `perform` queues a job and waits for it; a job that
  # raises is reported from its thread and the thread takes the next one.
  class Runner
    JOBS = {
      "render_invoice" => ->(id) { Invoicing.summary(id) }, # lab: r=1
      "render_invoice" => ->(id) { Invoicing.overview(id) }, # lab: r=2-4
      "apply_discount" => ->(id, code) { Invoicing.discount(id, code) },
      "send_reminder" => ->(id) { Invoicing.remind(id) },
      "check_overdue" => ->(id) { Invoicing.days_overdue(id) },
      "monthly_statement" => ->(customer, period) { Invoicing.statement(customer, period) },
      "sync_email" => ->(id) { Customers.billing_email(id) },
      "convert_balance" => ->(id, currency) { Customers.balance(id, currency) },
      "ingest_reading" => ->(meter, reading) { Metering.record(meter, reading) },
      "bill_usage" => ->(meter) { Metering.price_for(meter) }, # lab: r=1-3
      "bill_usage" => ->(meter) { Metering.quote(meter) }, # lab: r=4
      "usage_average" => ->(meter, days) { Metering.average(meter, days.to_i) },
      "retry_charge" => ->(customer, amount) { Payments.charge(customer, Payments.parse_amount(amount)) },
      "issue_credit" => ->(customer, amount) { Payments.credit(customer, Payments.parse_amount(amount)) },
      "process_refund" => ->(payment, amount) { Payments.refund(payment, Payments.parse_amount(amount)) },
      "reconcile" => ->(payment, amount) { Payments.refund(payment, amount.to_f * 1.2) }, # lab: r=4
      "replay_webhook" => ->(payload) { Payments.verify(payload, "sha256=replayed") },
      "plan_change" => ->(plan, used, days) { Invoicing.prorate(plan, used.to_i, days.to_i) }
    }.freeze

    def initialize(threads:)
      @queue = Queue.new
      @threads = Array.new(threads) { Thread.new { work } }
    end

    def perform(name, *args)
      done = Queue.new
      @queue << [name, args, done]
      done.pop
    end

    def shutdown
      @threads.size.times { @queue << nil }
      @threads.each(&:join)
    end

    private

    def work
      while (item = @queue.pop)
        name, args, done = item
        begin
          JOBS.fetch(name).call(*args)
        rescue StandardError => e
          Sentry.with_scope do |scope|
            scope.set_tags(job: name)
            Sentry.capture_exception(e)
          end
        ensure
          done << true
        end
      end
    end
  end
end
