"""A resolved frame of the browser SDK's own wrapper is never the application's, wherever the
SDK's maps place its source (@sentry/browser 7.x's climb out of node_modules)."""

import pytest

from sourcemaps.symbolicate import resolved_in_app


@pytest.mark.parametrize(("source", "function", "in_app"), [
    ("../src/cart.js", "checkout", True),
    ("../node_modules/lodash/lodash.js", "reduce", False),
    # 7.x: esm/helpers.js.map's ../../../src/helpers.ts, followed by the bundler
    ("../src/helpers.ts", "sentryWrapped", False),
    # 8.x and later: the same wrapper where the package is
    ("../node_modules/@sentry/browser/src/helpers.ts", "sentryWrapped", False),
    ("../src/helpers.ts", "sentryWrappedHandler", True),  # an application's own name
    ("../src/helpers.ts", None, True),
])
def test_only_packages_and_the_sdk_wrapper_are_not_the_applications(source, function, in_app):
    assert resolved_in_app(source, function) is in_app
