# frozen_string_literal: true

require "rubygems"

module Nightshift
  module Jobs
    # gems.audit: {"gems": {"name": {"version": "1.2.3", "requirement": "~> 1.2"}}}
    class Audit
      def perform(args)
        args.fetch("gems").map do |name, spec| # lab: fault=audit-gems
          version = Gem::Version.new(spec.fetch("version")) # lab: fault=audit-version
          requirement = Gem::Requirement.new(spec.fetch("requirement", ">= 0")) # lab: fault=audit-requirement
          "#{name} #{requirement.satisfied_by?(version) ? 'ok' : 'outdated'}"
        end
      end
    end
  end
end
