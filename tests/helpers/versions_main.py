"""tests/helpers/versions_app.py run by import, so its frames name their module
`tests.helpers.versions_app` as when tests/helpers/raven_app.py runs it under raven (run as
`-m tests.helpers.versions_app` they would name `__main__`): the upgrade from raven to sentry-sdk
is then the same application with another SDK. Usage: python -m tests.helpers.versions_main DSN"""

import sys

from tests.helpers.versions_app import main

if __name__ == "__main__":
    main(sys.argv[1])
