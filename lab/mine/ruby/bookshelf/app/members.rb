# frozen_string_literal: true

require "ipaddr"
require "time"

module Bookshelf
  class Members < Controller
    def create
      network = IPAddr.new(params["ip"].to_s) # lab: fault=member-ip
      email = params["email"]
      domain = email.split("@", 2).last.downcase # lab: fault=member-email
      MEMBERS[email] = { network: network.to_s, domain: domain }
      { domain: domain }
    end

    def lend
      form = body.split("&").to_h { |pair| pair.split("=", 2).map { |part| URI.decode_www_form_component(part) } } # lab: fault=lend-form
      due = Date.parse(form["due"].to_s) # lab: fault=lend-due
      book = BOOKS.fetch(form["book"]) # lab: fault=lend-book
      LOANS << { book: book[:id], due: due }
      { due: due.iso8601 }
    end

    def report
      from = Time.strptime(params["from"].to_s, "%Y-%m-%d") # lab: fault=report-from
      to = Time.strptime(params["to"].to_s, "%Y-%m-%d") # lab: fault=report-to
      { loans: LOANS.count { |loan| loan[:due].to_time.between?(from, to) } }
    end
  end
end
