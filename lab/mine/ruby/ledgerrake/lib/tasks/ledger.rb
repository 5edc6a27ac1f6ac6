# frozen_string_literal: true

require "json"
require "yaml"

namespace :ledger do
  desc "Import journal lines (CSV on stdin)"
  task :import do
    rows = Ledger::Books.parse_rows($stdin.read)
    entries = rows.map { |row| Ledger::Books.entry(row) }
    puts "imported #{entries.size}"
  end

  desc "Average movement of an account"
  task :average, [:account] do |_task, args|
    puts Ledger::Books.average(args[:account])
  end

  desc "Label of an account"
  task :label, [:account] do |_task, args|
    puts Ledger::Books.account(args[:account])[:name].upcase # lab: fault=label-name
  end

  desc "Close a period (YYYY-MM)"
  task :close, [:period] do |_task, args|
    puts Ledger::Books.month_end(args[:period].to_s).iso8601
  end

  desc "Load settings (YAML on stdin)"
  task :settings do
    settings = YAML.safe_load($stdin.read) # lab: fault=settings-yaml
    currency = settings.fetch("currency") # lab: fault=settings-currency
    Ledger::DEFAULTS["currency"] << "/#{currency}" # lab: fault=settings-frozen
  end

  desc "Read a statement file from the inbox"
  task :statement, [:name] do |_task, args|
    text = File.read(File.join(__dir__, "../../inbox", "#{args[:name]}.csv")) # lab: fault=statement-file
    puts text.lines.size
  end
end
