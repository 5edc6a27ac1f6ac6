# frozen_string_literal: true

require "erb"
require "json"
require "zlib"

namespace :fx do
  desc "Convert an amount"
  task :convert, %i[amount from to] do |_task, args|
    puts Ledger::Money.convert(args[:amount], args[:from], args[:to]).to_f
  end

  desc "Split an amount in parts"
  task :split, %i[amount parts] do |_task, args|
    puts Ledger::Money.split(args[:amount], args[:parts]).inspect
  end

  desc "Tax rate of a country"
  task :tax, [:country] do |_task, args|
    puts Ledger::Money.tax(args[:country])
  end

  desc "Compound growth"
  task :compound, %i[rate years] do |_task, args|
    puts Ledger::Money.compound(args[:rate], args[:years])
  end
end

namespace :report do
  desc "Render a report template (ERB on stdin)"
  task :render do
    template = ERB.new($stdin.read)
    puts template.result_with_hash(accounts: Ledger::ACCOUNTS) # lab: fault=render-erb
  end

  desc "Format a figure line"
  task :line, %i[label value] do |_task, args|
    puts format("%-12s %10d", args[:label], args[:value]) # lab: fault=line-format
  end

  desc "Export balances as JSON"
  task :export, [:scale] do |_task, args|
    ratio = Float(args[:scale] || "1") # lab: fault=export-scale
    balances = Ledger::ACCOUNTS.transform_values { |account| account[:entries].sum.to_f / ratio }
    puts JSON.generate(balances) # lab: fault=export-json
  end

  desc "Unpack an archived report (deflate, base64 on stdin)"
  task :unpack do
    packed = $stdin.read.unpack1("m0") # lab: fault=unpack-base64
    puts Zlib::Inflate.inflate(packed) # lab: fault=unpack-inflate
  end

  desc "Nth line of the audit trail (JSON lines on stdin)"
  task :audit, [:index] do |_task, args|
    lines = $stdin.read.lines.map { |line| JSON.parse(line) } # lab: fault=audit-json
    puts lines.fetch(Integer(args[:index])).fetch("user") # lab: fault=audit-index
  end
end
