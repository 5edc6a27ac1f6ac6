# frozen_string_literal: true

module Tripquote
  # The routes; partners reach the same handlers under /partner.
  class Api
    def initialize(partner: false)
      @partner = partner
    end

    def call(env)
      request = Rack::Request.new(env)
      params = request.GET.merge(env["tripquote.params"] || {})
      result = route(request, params, env["tripquote.tenant"])
      [200, { "content-type" => "application/json" }, [result.to_json]]
    end

    private

    def route(request, params, tenant)
      case [request.request_method, request.path_info]
      in ["POST", "/quotes"] then Quotes.quote(params, tenant)
      in ["GET", "/fx"] then Quotes.convert(params, tenant)
      in ["GET", %r{\A/bookings/(\w+)/lead\z}] then Bookings.lead(Regexp.last_match(1))
      in ["POST", %r{\A/bookings/(\w+)/cancel\z}] then Bookings.cancel(Regexp.last_match(1), params)
      in ["POST", "/schedules"] then Schedules.create(params)
      in ["POST", "/itineraries"] then Schedules.itinerary(params.fetch("xml"))
      in ["GET", "/reports"] then Schedules.report(params)
      end
    end
  end
end
