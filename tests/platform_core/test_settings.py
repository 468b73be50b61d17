"""Production refuses unsafe settings, and `check --deploy` is clean with the documented ones."""

import os
import subprocess
import sys

PRODUCTION = {
    "DJANGO_ENV": "production",
    "DJANGO_SECRET_KEY": "p" * 20 + "-production-secret-for-the-check-" + "q" * 20,
    "DJANGO_ALLOWED_HOSTS": "api.example.com",
    "CSRF_TRUSTED_ORIGINS": "https://app.example.com",
}


def manage(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")} | env
    return subprocess.run(
        [sys.executable, "manage.py", *args], env=environment, capture_output=True, text=True, timeout=120
    )


def test_check_deploy_is_clean_with_the_documented_production_variables():
    result = manage("check", "--deploy", "--fail-level", "WARNING", **PRODUCTION)
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_debug_default_secret_and_empty_hosts():
    debug = manage("check", **PRODUCTION, DJANGO_DEBUG="true")
    assert debug.returncode != 0
    assert "DJANGO_DEBUG must be off" in debug.stderr

    default_secret = {k: v for k, v in PRODUCTION.items() if k != "DJANGO_SECRET_KEY"}
    assert "DJANGO_SECRET_KEY" in manage("check", **default_secret).stderr

    no_hosts = {k: v for k, v in PRODUCTION.items() if k != "DJANGO_ALLOWED_HOSTS"}
    assert "DJANGO_ALLOWED_HOSTS" in manage("check", **no_hosts).stderr
