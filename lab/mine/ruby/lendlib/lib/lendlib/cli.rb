# frozen_string_literal: true

module Lendlib
  # `lendlib COMMAND ARGS`, the circulation desk's command line; a failing command is reported
  # to Sentry and printed.
  module CLI
    module_function

    def start(argv)
      command, *args = argv
      puts run(command, args).inspect
    rescue StandardError => e
      Sentry.capture_exception(e)
      warn "lendlib: #{e.message}"
    end

    def run(command, args)
      case command
      when "show" then Catalog.show(args[0]) # lab: r=1
      when "show" then Catalog.details(args[0]) # lab: r=2-4
      when "search" then Catalog.search(args[0], args[1..].to_h { |arg| arg.delete_prefix("--").split("=", 2) })
      when "member" then Members.find(args[0]).to_h
      when "fines" then Members.fines_due(Members.find(args[0]))
      when "waive" then Members.waive(Members.find(args[0]), Integer(args[1]))
      when "checkout" then Loans.checkout(args[0], args[1]).id
      when "renew" then Loans.renew(args[0]).due
      when "return" then Loans.return_book(args[0], args[1])
      when "import" then Imports.acquisitions(args.join(" "))
      when "report" then Reports.branch_summary(args[0]) # lab: r=1-3
      when "report" then Reports.summary_for(args[0]) # lab: r=4
      else raise ArgumentError, "unknown command #{command}"
      end
    end
  end
end
