# frozen_string_literal: true

require "json"

module Nightshift
  JOBS = {
    "deps.plan" => Jobs::Deps, "gems.audit" => Jobs::Audit, "net.allow" => Jobs::Network,
    "export.rows" => Jobs::Export, "archive.unpack" => Jobs::Archive,
    "cleanup.older" => Jobs::Cleanup, "files.checksums" => Jobs::Checksums,
  }.freeze

  # Runs each job on the pool and reports the ones that fail.
  class Dispatcher
    def initialize(threads:)
      @pool = Concurrent::FixedThreadPool.new(threads)
    end

    def dispatch(line)
      name, payload = line.split(" ", 2)
      future = Concurrent::Promises.future_on(@pool, name, payload.to_s) { |job, args| perform(job, args) }
      future.value!
    rescue StandardError => e
      Sentry.capture_exception(e, tags: { job: name })
    end

    def shutdown
      @pool.shutdown
      @pool.wait_for_termination(10)
    end

    private

    def perform(job, args)
      handler = JOBS.fetch(job).new # lab: fault=dispatch-job
      arguments = JSON.parse(args) # lab: fault=dispatch-json
      handler.perform(arguments) # lab: r=1-2
      Retry.run(attempts: 2) { handler.perform(arguments) } # lab: r=3
    end
  end
end
