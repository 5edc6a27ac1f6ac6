"""Django settings of the back-office screens."""

DEBUG = False
SECRET_KEY = "returnsdesk-backoffice"
ROOT_URLCONF = "returnsdesk.api.django_views"
ALLOWED_HOSTS = ["testserver", "backoffice.returnsdesk.internal"]
MIDDLEWARE: list[str] = []
INSTALLED_APPS: list[str] = []
USE_TZ = True
LOGGING_CONFIG = None
