# frozen_string_literal: true

module Tallyhouse
  TODAY = Date.new(2024, 6, 15)

  CUSTOMERS = {
    "C1" => { id: "C1", name: "Ada Ltd", email: "Billing@Ada.test", country: "GB", plan: "team",
              seats: 5, currency: "GBP", card: "tok_ok" },
    "C2" => { id: "C2", name: "Grace GmbH", email: nil, country: "DE", plan: "pro", seats: 12,
              currency: "EUR", card: "declined" },
    "C3" => { id: "C3", name: "Linus Oy", email: "ap@linus.invalid", country: "XX",
              plan: "starter", seats: "3", currency: "SEK", card: "slow" },
    "C4" => { id: "C4", name: "Hedy AB", email: "ap@hedy.invalid", country: "SE", plan: "team",
              seats: 2, currency: "EUR", card: "slow" }
  }.freeze

  PLANS = {
    "team" => { price: 4900, seats: 5 },
    "pro" => { price: 9900, seats: 10 },
    "starter" => { price: nil, seats: 1 } # priced per quote
  }.freeze

  INVOICES = {
    "INV-1" => { customer_id: "C1", due: "2024-05-31", memo: "Thanks!",
                 lines: [{ sku: "seat", quantity: 5, unit_price: 1200 }] },
    "INV-2" => { customer_id: "C2", due: "2024-06-31", memo: +"",
                 lines: [{ sku: "seat", quantity: 12, unit_price: "12.00" }] },
    "INV-3" => { customer_id: "C9", due: "2024-04-30", memo: "Migrated",
                 lines: [{ sku: "seat", quantity: 1, unit_price: 900 }] },
    "INV-4" => { customer_id: "C3", due: "soon", memo: +"",
                 lines: [{ sku: "seat", quantity: 3, unit_price: 900 }] },
    "INV-5" => { customer_id: "C1", due: "2024-06-30", memo: +"", lines: [] },
    "INV-6" => { customer_id: "C1", due: "2024-06-01", memo: +"",
                 lines: [{ sku: "support", quantity: nil, unit_price: 500 }] },
    "INV-7" => { customer_id: "C4", due: "2024-06-10", memo: +"",
                 lines: [{ sku: "seat", quantity: 0, unit_price: 900 }] }
  }.freeze

  # loaded from config/coupons.yml and frozen, as all configuration is
  COUPONS = {
    "WELCOME10" => { off: 10, uses: 0 }.freeze,
    "SPRING25" => { off: 25, uses: 3 }.freeze
  }.freeze

  TAX_RATES = { "GB" => 20, "DE" => 19, "SE" => 25 }.freeze
  FX = { "GBP" => 1.0, "EUR" => 1.17, "USD" => 1.27 }.freeze

  STATEMENTS = {
    "C1" => { "2024-04" => { total: 5500 }, "2024-05" => { total: 6500 } },
    "C2" => { "2024-05" => { total: 14_400 } }
  }.freeze

  METERS = {
    "M1" => { customer: "C1", readings: [120, 340, 900] },
    "M3" => { customer: "C4", readings: [1200, 5200] }
  }.freeze
  TIERS = [{ upto: 1000, price: 2 }, { upto: 5000, price: 1 }].freeze

  PAYMENTS = {
    "P1" => { customer: "C1", amount: 5900.0 },
    "P2" => { customer: "C4", amount: 120.0 }
  }.freeze

  WEBHOOK_SECRET = "whsec_tally"
end
