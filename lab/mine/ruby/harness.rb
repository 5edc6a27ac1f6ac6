# frozen_string_literal: true

# The official sentry-ruby SDK with a transport that writes each envelope exactly as the HTTP
# transport would send it (before compression) to the file named by LAB_EVENTS, one JSON string
# a line, and the application's jobs: one line of stdin each, "--job" written after each.
require "json"
require "sentry-ruby"

module Harness
  class FileTransport < Sentry::Transport
    def send_data(data, _options = {})
      Harness.write(JSON.generate(data))
    end
  end

  def self.write(line)
    File.open(ENV.fetch("LAB_EVENTS"), "a") { |file| file.puts(line) }
  end

  def self.configure(config, root)
    config.dsn = "http://public@127.0.0.1:9/1"
    config.release = ENV.fetch("LAB_RELEASE")
    config.environment = "production"
    config.server_name = "app-1"
    config.project_root = root
    config.background_worker_threads = 0 # send before the job is over
    config.send_client_reports = false
    config.transport.transport_class = FileTransport
  end

  def self.jobs
    $stdin.each_line do |line|
      yield line.chomp
      write("--job")
    end
  end
end
