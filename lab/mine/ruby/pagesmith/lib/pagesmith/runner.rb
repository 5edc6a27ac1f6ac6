# frozen_string_literal: true

module Pagesmith
  # Runs one command with the command's name on the scope (added in 2.0).
  module Runner
    module_function

    def run(argv)
      Sentry.with_scope do |scope|
        scope.set_tags(command: argv.first.to_s)
        CLI.start(argv)
      end
    end
  end
end
