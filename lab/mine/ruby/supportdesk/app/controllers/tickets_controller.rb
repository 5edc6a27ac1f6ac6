# frozen_string_literal: true

class TicketsController < ApplicationController
  include TicketLabels

  def show
    render json: ticket.slice(:id, :subject, :state)
  end

  def assign
    email = ticket[:assignee].fetch(:email) # lab: fault=assign-email r=1
    assignee = ticket[:assignee] # lab: r=2-3
    email = assignee.fetch(:email) # lab: fault=assign-email r=2-3
    render json: { notified: email.downcase } # lab: fault=assign-notify
  end

  def escalate
    level = Integer(params[:level]) # lab: fault=escalate-level
    render json: { level: level + 1 }
  end

  def due
    due_at = Time.zone.strptime(params[:at].to_s, "%Y-%m-%d %H:%M") # lab: fault=due-at
    render json: { due: due_at.iso8601 }
  end

  def sla
    hours = Store::SLA_HOURS.fetch(ticket[:priority]) # lab: fault=sla-priority
    window = ActiveSupport::Duration.parse(params[:grace]) if params[:grace] # lab: fault=sla-grace
    render json: { due: (hours.hours + (window || 0)).from_now.iso8601 }
  end

  def tags
    ticket[:tags] |= params[:tags].split(",").map(&:strip) # lab: fault=tags-split
    render json: ticket[:tags]
  end

  def merge
    kind = "#{params[:kind].to_s.camelize}Ticket".constantize # lab: fault=merge-kind
    render json: { kind: kind.name }
  end

  def transition
    allowed = Store::TRANSITIONS[ticket[:state]].fetch(params[:to]) # lab: fault=transition
    render json: { allowed: allowed }
  end

  def status
    render json: { label: status_label(ticket[:state]) }
  end

  private

  def status_label(state) # lab: move=3:app/controllers/concerns/ticket_labels.rb
    I18n.t("tickets.status.#{state}", raise: true) # lab: fault=status-label
  end
end
