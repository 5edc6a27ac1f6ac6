# frozen_string_literal: true

class ApplicationController < ActionController::Base
  before_action :verify_token

  private

  VERIFIER = ActiveSupport::MessageVerifier.new("supportdesk-signing")

  def verify_token
    VERIFIER.verify(params[:token]) if params[:token] # lab: fault=auth-token
  end

  def ticket
    Store::TICKETS.fetch(params[:id].to_i) # lab: fault=ticket-lookup
  end
end
