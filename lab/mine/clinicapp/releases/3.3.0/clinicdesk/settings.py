"""Django settings of the managers' dashboard."""

DEBUG = False
SECRET_KEY = "clinicdesk-dashboard"
ROOT_URLCONF = "clinicdesk.api.django_views"
ALLOWED_HOSTS = ["testserver", "dashboard.clinicdesk.internal"]
MIDDLEWARE: list[str] = []
INSTALLED_APPS: list[str] = []
USE_TZ = True
LOGGING_CONFIG = None
