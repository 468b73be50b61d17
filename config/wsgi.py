import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
application = get_wsgi_application()

# Import every view now, while the worker boots, rather than inside its first requests.
from django.urls import get_resolver  # noqa: E402

get_resolver().url_patterns  # noqa: B018
