# frozen_string_literal: true

class WebhooksController < ApplicationController
  def receive
    payload = JSON.parse(request.raw_post) # lab: fault=webhook-json
    ticket_id = payload.dig("ticket", "id") # lab: fault=webhook-dig
    callback = URI(payload.fetch("callback", "https://hooks.example.org/ack")) # lab: fault=webhook-callback
    render json: { ticket: ticket_id, ack: callback.host }
  end
end
