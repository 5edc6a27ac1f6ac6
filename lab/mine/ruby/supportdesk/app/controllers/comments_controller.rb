# frozen_string_literal: true

require "base64"

class CommentsController < ApplicationController
  def create
    body = params[:body].to_s.squish
    attachment = Base64.strict_decode64(params[:attachment]) if params[:attachment] # lab: fault=comment-attachment
    limit = Integer(params.fetch(:limit, "500")) # lab: fault=comment-limit
    mentioned = body.scan(/@(\w+)/).map { |(name)| Store::USERS.fetch(name) } # lab: fault=comment-mention
    render json: { body: body.first(limit), mentions: mentioned.size, bytes: attachment&.bytesize }
  end
end
