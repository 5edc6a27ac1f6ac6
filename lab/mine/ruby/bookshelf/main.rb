# frozen_string_literal: true

# Bookshelf, a small library catalogue: a Rack application behind sentry-ruby's Rack middleware,
# served by WEBrick on loopback; the harness sends one HTTP request per job.
require "net/http"
require "rack"
require "rack/handler/webrick"
require "webrick"
require_relative "harness"
require_relative "app/store"
require_relative "app/controller"
require_relative "app/books"
require_relative "app/imports"
require_relative "app/members"
require_relative "app/helpers"
require_relative "app/router"

Sentry.init { |config| Harness.configure(config, __dir__) }

app = Rack::Builder.new do
  use Sentry::Rack::CaptureExceptions
  use Bookshelf::ApiKey
  run Bookshelf::Router.new
end

server = WEBrick::HTTPServer.new(Port: 0, BindAddress: "127.0.0.1", AccessLog: [],
                                 Logger: WEBrick::Log.new(File::NULL))
server.mount("/", Rack::Handler::WEBrick, app)
Thread.new { server.start }
http = Net::HTTP.new("127.0.0.1", server.config[:Port])
http.read_timeout = 20

Harness.jobs do |job|
  verb, path, body = job.split(" ", 3)
  writes = !%w[GET DELETE].include?(verb)
  request = Net::HTTPGenericRequest.new(verb, writes, true, path,
                                        "Content-Type" => "application/octet-stream")
  request.body = body.to_s.gsub("\\n", "\n") if writes
  http.request(request)
end
server.shutdown
