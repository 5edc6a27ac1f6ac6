# frozen_string_literal: true

require "tsort"

module Nightshift
  module Jobs
    # The order in which a night's jobs may run, from what each needs first.
    class Graph
      include TSort

      def initialize(edges)
        @edges = edges
      end

      def tsort_each_node(&block)
        @edges.each_key(&block) # lab: fault=deps-cycle
      end

      def tsort_each_child(node, &block)
        @edges.fetch(node).each(&block) # lab: fault=deps-node
      end
    end

    # deps.plan: {"jobs": {"name": ["needed", ...]}, "limit": N}
    class Deps
      def perform(args)
        order = Graph.new(args.fetch("jobs")).tsort # lab: fault=deps-plan r=1
        graph = Graph.new(args.fetch("jobs")) # lab: fault=deps-plan r=2-3
        order = graph.tsort # lab: r=2-3
        order.first(Integer(args.fetch("limit", 10))) # lab: fault=deps-limit
      end
    end
  end
end
