# frozen_string_literal: true

module Lendlib
  # Members: cards, contact details, fines.
  module Members
    module_function

    def find(id)
      Store.members.fetch(id) # lab: fault=member-missing
    end

    # The address reminders go to.
    def contact(member)
      address = member.email.downcase.strip # lab: fault=member-email
      "#{member.name} <#{address}>"
    end

    # A library card number passes the Luhn-like check the card printer uses.
    def valid_card?(card)
      digits = card.to_s.chars.map(&:to_i).reverse
      digits.each_slice(2).sum { |odd, even| odd + (even * 2) % 9 } % 10 == 0 # lab: fault=card-check
    end

    # The member's outstanding fines in cents.
    def fines_due(member)
      member.fines.sum # lab: fault=fines-sum
    end

    # Waives part of a member's fines.
    def waive(member, amount)
      balance = fines_due(member)
      raise ArgumentError, "waiver of #{amount} exceeds the balance of #{balance}" if amount > balance # lab: fault=fines-waive r=1-2
      raise ArgumentError, "cannot waive #{amount}: member #{member.id} owes #{balance}" if amount > balance # lab: fault=fines-waive r=3-4
      member.fines = [balance - amount]
    end

    def enrol(fields)
      card = fields["card"]
      raise ArgumentError, "card #{card} fails the check digit" unless valid_card?(card)
      Store.members[fields["id"]] = Member.new(id: fields["id"], name: fields["name"], plan: "adult", card: card,
                                               loans: [], fines: [])
    end
  end
end
