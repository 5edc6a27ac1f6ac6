# frozen_string_literal: true

require "json"

module Courier
  # A fixed pool of threads taking messages off one queue.
  class Pool
    Message = Struct.new(:kind, :payload, :done)

    HANDLERS = {
      "email" => ->(payload) { Channels.email(JSON.parse(payload)) }, # lab: fault=email-json
      "sms" => ->(payload) { Channels.sms(JSON.parse(payload)) }, # lab: fault=sms-json
      "push" => ->(payload) { Channels.push(JSON.parse(payload)) },
      "webhook" => ->(payload) { Channels.webhook(JSON.parse(payload)) }, # lab: fault=webhook-json
      "digest" => ->(payload) { Content.digest(JSON.parse(payload)) },
      "template" => ->(payload) { Content.template(JSON.parse(payload)) },
      "batch" => ->(payload) { Content.batch(JSON.parse(payload)) },
      "sealed" => ->(payload) { Security.unseal(payload) },
      "signed" => ->(payload) { Security.verify(JSON.parse(payload)) },
      "schedule" => ->(payload) { Content.schedule(JSON.parse(payload)) },
    }.freeze

    def initialize(size:)
      @queue = Queue.new
      @threads = Array.new(size) { |index| Thread.new { work(index) } }
    end

    def deliver(kind, payload)
      done = Queue.new
      @queue << Message.new(kind, payload, done)
      done.pop
    end

    def shutdown
      @threads.size.times { @queue << nil }
      @threads.each(&:join)
    end

    private

    def work(index)
      while (message = @queue.pop)
        handle(index, message)
      end
    end

    def handle(index, message)
      Sentry.with_scope do |scope|
        scope.set_tags(channel: message.kind, worker: index)
        HANDLERS.fetch(message.kind).call(message.payload)
      rescue StandardError => e
        Sentry.capture_exception(e)
      end
    ensure
      message.done << true
    end
  end
end
