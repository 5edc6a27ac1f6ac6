# frozen_string_literal: true

require "base64"
require "json"

module Bookshelf
  # A request and its params, path params included.
  class Controller
    def initialize(request, params)
      @request = request
      @params = request.params.merge(params)
    end

    attr_reader :params

    def body
      @request.body.read
    end
  end
end
