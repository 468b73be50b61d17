"""The WSGI app bench/observability.py serves: the platform as deployed, or with BENCH_OBSERVABILITY=off
the same platform without its instrumentation (no metrics middleware, no SQL timing, no request log)."""

import os

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
django.setup()

from django.conf import settings  # noqa: E402
from django.core.wsgi import get_wsgi_application  # noqa: E402
from django.db.backends.signals import connection_created  # noqa: E402

if os.environ.get("BENCH_OBSERVABILITY") == "off":
    settings.MIDDLEWARE = [m for m in settings.MIDDLEWARE if "observability" not in m]
    connection_created.disconnect(dispatch_uid="platform_observability_query_timer")
application = get_wsgi_application()
