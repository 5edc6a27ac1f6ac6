# frozen_string_literal: true

module Lendlib
  # The background job runner: one worker thread takes jobs off a queue; a job that raises is
  # reported to Sentry with the job's name and the worker goes on.
  class Runner
    JOBS = {
      "checkout" => ->(args) { Loans.checkout(args["member"], args["isbn"]) },
      "return" => ->(args) { Loans.return_book(args["member"], args["isbn"]) },
      "reminders" => ->(args) { args["members"].map { |id| Members.contact(Members.find(id)) } },
      "place_hold" => ->(args) { Holds.place(args["isbn"], args["member"]) },
      "hold_ready" => ->(args) { Members.contact(Holds.next_in_line(args["isbn"])) },
      "import" => ->(args) { Imports.acquisitions(args["csv"]) },
      "enrol" => ->(args) { Members.enrol(args) },
      "renew_all" => ->(args) { args["loans"].map { |id| Loans.renew(id) } } # lab: r=4
    }.freeze

    def initialize
      @queue = Queue.new
      @done = Queue.new
      @worker = Thread.new { loop { work(*@queue.pop) } }
    end

    # Queues the job and waits until the worker has finished it.
    def perform(name, args)
      @queue << [name, args]
      @done.pop
    end

    private

    def work(name, args)
      Sentry.with_scope do |scope|
        scope.set_tags(job: name)
        JOBS.fetch(name).call(args)
      rescue StandardError => e
        Sentry.capture_exception(e)
      end
    ensure
      @done << name
    end
  end
end
