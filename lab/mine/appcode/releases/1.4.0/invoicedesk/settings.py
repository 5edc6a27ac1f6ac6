"""Django settings of the back-office views."""

DEBUG = False
SECRET_KEY = "invoicedesk-backoffice"
ROOT_URLCONF = "invoicedesk.web_django"
ALLOWED_HOSTS = ["testserver", "backoffice.invoicedesk.internal"]
MIDDLEWARE: list[str] = []
INSTALLED_APPS: list[str] = []
USE_TZ = True
LOGGING_CONFIG = None
