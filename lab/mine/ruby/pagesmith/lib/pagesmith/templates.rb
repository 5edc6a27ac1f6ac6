# frozen_string_literal: true

require "erubi"
require "i18n"

I18n.available_locales = %i[en de]
I18n.enforce_available_locales = true
I18n.backend.store_translations(:en, nav: { home: "Home", next: "Page %{page} of %{pages}" })
I18n.backend.store_translations(:de, nav: { home: "Start", next: "Seite %{page} von %{pages}" })

module Pagesmith
  # Layouts are Erubi templates evaluated with the page's values as locals.
  module Templates
    module_function

    def render(source, values)
      code = Erubi::Engine.new(source, escape: true).src
      scope = binding # lab: r=1
      values.each { |name, value| scope.local_variable_set(name, value) } # lab: r=1
      scope.eval(code) # lab: fault=render-eval r=1
      bound = locals(values) # lab: r=2-3
      bound.eval(code) # lab: fault=render-eval r=2-3
    end

    def locals(values) # lab: r=2-3
      bound = binding # lab: r=2-3
      values.each { |name, value| bound.local_variable_set(name, value) } # lab: r=2-3
      bound # lab: r=2-3
    end # lab: r=2-3

    def translate(key, locale, values)
      I18n.t(key, locale: locale, raise: true, **values) # lab: fault=translate
    end
  end
end
