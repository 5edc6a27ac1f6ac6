# frozen_string_literal: true

module Lendlib
  # The JSON API the catalogue site and the self-service kiosks call.
  class Api
    def initialize(version: 1)
      @version = version
    end

    def call(env)
      request = Rack::Request.new(env)
      body = request.body.read
      payload = body.empty? ? {} : JSON.parse(body)
      json(route(request.request_method, request.path_info.split("/").reject(&:empty?), request.params, payload))
    end

    private

    def route(verb, parts, params, payload)
      case [verb, *parts]
      in ["GET", "books"] then Catalog.search(params["q"], params)
      in ["GET", "books", isbn] then Catalog.show(isbn) # lab: r=1
      in ["GET", "books", isbn] then Catalog.details(isbn) # lab: r=2-4
      in ["POST", "books", isbn, "holds"] then Holds.place(isbn, payload["member"], payload.fetch("options", {}).transform_keys(&:to_sym))
      in ["POST", "books", isbn, "returned"] then Members.contact(Holds.next_in_line(isbn))
      in ["GET", "members", id] then Members.find(id).to_h.slice(:id, :name, :plan)
      in ["POST", "members"] then Members.enrol(payload).id
      in ["GET", "members", id, "fines"] then { due: Members.fines_due(Members.find(id)) }
      in ["POST", "members", id, "waive"] then Members.waive(Members.find(id), Integer(params["amount"]))
      in ["POST", "members", id, "remind"] then Members.contact(Members.find(id))
      in ["POST", "loans"] then Loans.checkout(payload["member"], payload["isbn"]).id
      in ["POST", "loans", id, "renew"] then Loans.renew(id).due.iso8601
      in ["POST", "returns"] then Loans.return_book(payload["member"], payload["isbn"])
      in ["POST", "imports"] then Imports.acquisitions(payload.fetch("csv"))
      in ["GET", "reports", name] then Reports.branch_summary(name) # lab: r=1-3
      in ["GET", "reports", name] then Reports.summary_for(name) # lab: r=4
      else { error: "not found" }
      end
    end

    def json(body)
      [200, { "content-type" => "application/json" }, [JSON.generate(body)]]
    end
  end
end
