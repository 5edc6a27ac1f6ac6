# frozen_string_literal: true

module Bookshelf
  # Routes "VERB /path" to a controller action; path segments starting with ":" are params.
  class Router
    ROUTES = [
      ["GET", "/books/:id", Books, :show],
      ["GET", "/api/v2/books/:id", Books, :show],
      ["GET", "/books/:id/author", Books, :author],
      ["POST", "/books", Books, :create],
      ["PATCH", "/books/:id/price", Books, :price],
      ["GET", "/books/:id/cover", Books, :cover],
      ["GET", "/books/:id/render", Books, :render_card],
      ["DELETE", "/books/:id", Books, :destroy],
      ["GET", "/shelves/:name/pick", Books, :pick],
      ["GET", "/search", Books, :search],
      ["GET", "/stats", Books, :stats],
      ["POST", "/import/csv", Imports, :csv],
      ["POST", "/import/yaml", Imports, :yaml],
      ["POST", "/import/xml", Imports, :xml],
      ["POST", "/members", Members, :create],
      ["POST", "/loans", Members, :lend],
      ["GET", "/reports/loans", Members, :report],
    ].freeze

    def call(env)
      request = Rack::Request.new(env)
      ROUTES.each do |verb, pattern, controller, action|
        params = match(pattern, request.path_info)
        next unless verb == request.request_method && params

        body = controller.new(request, params).public_send(action)
        return [200, { "Content-Type" => "application/json" }, [JSON.generate(body)]]
      end
      [404, {}, ["not found"]]
    end

    private

    def match(pattern, path)
      names = pattern.split("/")
      parts = path.split("/")
      return nil unless names.size == parts.size

      names.zip(parts).each_with_object({}) do |(name, part), params|
        if name.start_with?(":")
          params[name.delete_prefix(":")] = Rack::Utils.unescape(part)
        elsif name != part
          return nil
        end
      end
    end
  end

  # Checks the X-Api-Key given as the api_key query parameter on writes.
  class ApiKey
    def initialize(app)
      @app = app
    end

    def call(env)
      key = Rack::Request.new(env).params["api_key"]
      Base64.strict_decode64(key) if key # lab: fault=auth-key
      @app.call(env)
    end
  end
end
