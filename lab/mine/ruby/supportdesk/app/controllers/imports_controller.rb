# frozen_string_literal: true

require "nokogiri"
require "yaml"

class ImportsController < ApplicationController
  def create
    count = case params[:kind]
            when "yaml" then import_yaml(request.raw_post)
            when "xml" then import_xml(request.raw_post)
            when "gz" then import_yaml(ActiveSupport::Gzip.decompress(request.raw_post)) # lab: fault=import-gzip
            end
    render json: { imported: count }
  end

  private

  def import_yaml(raw)
    rows = YAML.safe_load(raw, permitted_classes: [Symbol]) # lab: fault=import-yaml
    rows.map { |row| row.fetch("email") }.size # lab: fault=import-email
  end

  def import_xml(raw)
    document = Nokogiri::XML(raw, &:strict) # lab: fault=import-xml
    document.at_xpath("//ticket/@id").value # lab: fault=import-xml-id
    document.xpath("//ticket").size
  end
end
