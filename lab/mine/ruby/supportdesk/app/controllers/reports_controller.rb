# frozen_string_literal: true

class ReportsController < ApplicationController
  def volume
    from = Date.parse(params[:from].to_s) # lab: fault=volume-from
    to = params[:to] ? Date.parse(params[:to]) : Date.new(2024, 12, 31) # lab: fault=volume-to
    days = (to - from).to_i
    per_bucket = days / params.fetch(:buckets, 4).to_i # lab: fault=volume-buckets
    render json: { days: days, per_bucket: per_bucket }
  end

  def clock
    zone = ActiveSupport::TimeZone[params[:tz].to_s]
    render json: { now: zone.now.iso8601 } # lab: fault=clock-zone
  end
end
