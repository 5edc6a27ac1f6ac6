# frozen_string_literal: true

# Tickets and people, kept in memory for the service's lifetime.
module Store
  USERS = {
    "ada" => { name: "Ada", email: "ada@example.org", team: "billing" },
    "grace" => { name: "Grace", email: nil, team: "platform" },
  }.freeze
  TICKETS = {
    1 => { id: 1, subject: "Refund", state: "open", priority: "high", assignee: USERS["ada"],
           tags: [] },
    2 => { id: 2, subject: "Login", state: "waiting", priority: "urgent", assignee: nil,
           tags: [] },
    3 => { id: 3, subject: "Invoice", state: "closed", priority: "low",
           assignee: USERS["grace"], tags: nil },
  }
  SLA_HOURS = { "low" => 72, "normal" => 24, "high" => 8 }.freeze
  TRANSITIONS = {
    "open" => { "pending" => true, "closed" => true },
    "pending" => { "open" => true, "closed" => true },
  }.freeze
end

class BugTicket; end
class FeatureTicket; end
