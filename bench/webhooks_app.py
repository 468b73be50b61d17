"""The WSGI app bench/webhooks.py serves: the platform, plus the baseline of the same run at
/bench/insert/ — a bare Django view that inserts one row per POST in a transaction."""

import json
import os

import django
from django.conf import settings
from django.core.wsgi import get_wsgi_application
from django.db import connection, transaction
from django.http import HttpRequest, JsonResponse
from django.urls import include, path
from django.views.decorators.csrf import csrf_exempt

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
django.setup()


@csrf_exempt
def bare_insert(request: HttpRequest) -> JsonResponse:
    body = json.loads(request.body)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("INSERT INTO bench_baseline (body) VALUES (%s) RETURNING id", [json.dumps(body)])
        (row_id,) = cursor.fetchone()
    return JsonResponse({"id": row_id}, status=202)


urlpatterns = [path("bench/insert/", bare_insert), path("", include("config.urls"))]
settings.ROOT_URLCONF = __name__
application = get_wsgi_application()
