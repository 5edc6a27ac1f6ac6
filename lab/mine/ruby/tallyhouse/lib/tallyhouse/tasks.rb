# frozen_string_literal: true

module Tallyhouse
  # The command line, rake-style: `tallyhouse NAME ARGS...` runs the task defined as
  # `task "NAME", :arg, ... do |args| ... end`; what a task raises is reported and printed.
  module Tasks
    Task = Struct.new(:name, :params, :action)
    REGISTRY = {} # rubocop:disable Style/MutableConstant

    module_function

    def task(name, *params, &action)
      REGISTRY[name] = Task.new(name, params, action)
    end

    def run(argv)
      name, *values = argv
      task = REGISTRY.fetch(name) { abort "unknown task #{name}" }
      task.action.call(task.params.zip(values).to_h)
    rescue StandardError => e
      Sentry.capture_exception(e)
      warn "#{name}: #{e.message}"
    end

    task "invoice:show", :id do |args|
      puts Invoicing.summary(args[:id]) # lab: r=1
      puts Invoicing.overview(args[:id]) # lab: r=2-4
    end

    task "invoice:audit", :id do |args| # lab: r=4
      overview = Invoicing.overview(args[:id]) # lab: r=4
      puts "#{overview[:id]} #{overview[:customer]} net=#{overview[:net]} tax=#{overview[:tax]}" # lab: r=4
    end # lab: r=4

    task "invoice:discount", :id, :code do |args|
      puts Invoicing.discount(args[:id], args[:code])
    end

    task "invoice:note", :id, :text do |args|
      Invoicing.annotate(args[:id], args[:text])
    end

    task "invoice:overdue", :id do |args|
      puts Invoicing.days_overdue(args[:id])
    end

    task "dunning:remind", :id do |args|
      Invoicing.remind(args[:id])
    end

    task "coupon:redeem", :code do |args|
      puts Invoicing.redeem(args[:code])
    end

    task "statement:show", :customer, :period do |args|
      puts Invoicing.statement(args[:customer], args[:period])
    end

    task "plan:prorate", :plan, :used, :days do |args|
      puts Invoicing.prorate(args[:plan], args[:used].to_i, args[:days].to_i)
    end

    task "customer:email", :id do |args|
      puts Customers.billing_email(args[:id])
    end

    task "customer:seats", :id, :extra do |args|
      puts Customers.add_seats(args[:id], args[:extra])
    end

    task "fx:convert", :amount, :from, :to do |args|
      puts Customers.convert(args[:amount].to_f, args[:from], args[:to])
    end

    task "meter:record", :meter, :reading do |args|
      Metering.record(args[:meter], args[:reading])
    end

    task "meter:price", :meter do |args|
      puts Metering.price_for(args[:meter]) # lab: r=1-3
      puts Metering.quote(args[:meter]) # lab: r=4
    end

    task "charge", :customer, :amount do |args|
      Payments.charge(args[:customer], Payments.parse_amount(args[:amount]))
    end

    task "credit", :customer, :amount do |args|
      Payments.credit(args[:customer], Payments.parse_amount(args[:amount]))
    end

    task "refund", :payment, :amount do |args|
      Payments.refund(args[:payment], Payments.parse_amount(args[:amount]))
    end
  end
end
