"""Settings read from the environment (docs/operations.md): production refuses to start
half-configured, and is secure by default; a development machine still runs with no environment at
all."""

import os
import subprocess
import sys

import pytest
from django.conf import settings

SHOW_SECURITY = (
    "from django.conf import settings; "
    "print(settings.SECURE_SSL_REDIRECT, settings.SESSION_COOKIE_SECURE, "
    "settings.CSRF_COOKIE_SECURE, settings.SECURE_HSTS_SECONDS > 0)"
)


def run_django(code: str, **environment: str) -> subprocess.CompletedProcess:
    """``code`` after ``django.setup()`` in a fresh interpreter, on the real settings module and
    only the given variables (plus PATH), as a server started on a bare machine would see them."""
    env = {
        "PATH": os.environ.get("PATH", ""),
        "DJANGO_SETTINGS_MODULE": "editorial.settings",
        "DATABASE_URL": "sqlite:///:memory:",
        **environment,
    }
    return subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {code}"],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


# Each test starts a Python process: all but this first one are ``slow``, left out of the quick
# loop.
def test_without_debug_a_missing_secret_key_refuses_to_start():
    result = run_django("print('started')", DEBUG="false")

    assert result.returncode != 0
    assert "started" not in result.stdout
    assert "ImproperlyConfigured" in result.stderr
    assert "SECRET_KEY" in result.stderr
    assert "secrets.token_urlsafe" in result.stderr  # how to make one


@pytest.mark.slow
def test_without_debug_the_public_development_key_refuses_to_start():
    public_key = settings.DEVELOPMENT_SECRET_KEY

    result = run_django("print('started')", DEBUG="false", SECRET_KEY=public_key)

    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


@pytest.mark.slow
def test_manage_py_check_refuses_without_secret_key():
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=settings.BASE_DIR,
        env={"PATH": os.environ.get("PATH", ""), "DATABASE_URL": "sqlite:///:memory:"},
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


@pytest.mark.slow
def test_with_debug_a_development_key_is_used():
    result = run_django(
        "from django.conf import settings; print(settings.SECRET_KEY)", DEBUG="true"
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().startswith("django-insecure-")


@pytest.mark.slow
def test_without_debug_redirects_and_cookies_are_secure_by_default():
    result = run_django(SHOW_SECURITY, DEBUG="false", SECRET_KEY="x" * 50)

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["True", "True", "True", "True"]


@pytest.mark.slow
def test_with_debug_plain_http_works():
    result = run_django(SHOW_SECURITY, DEBUG="true")

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["False", "False", "False", "False"]


@pytest.mark.slow
@pytest.mark.parametrize("debug", ["false", "true"])
def test_secure_cookies_and_redirect_can_be_switched_off_for_local_http(debug):
    result = run_django(
        SHOW_SECURITY,
        DEBUG=debug,
        SECRET_KEY="x" * 50,
        SECURE_SSL_REDIRECT="false",
        SESSION_COOKIE_SECURE="false",
        CSRF_COOKIE_SECURE="false",
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[:3] == ["False", "False", "False"]


@pytest.mark.slow
def test_check_deploy_is_clean_with_production_environment():
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=settings.BASE_DIR,
        env={
            "PATH": os.environ.get("PATH", ""),
            "DJANGO_SETTINGS_MODULE": "editorial.settings",
            "DATABASE_URL": "sqlite:///:memory:",
            "DEBUG": "false",
            "SECRET_KEY": "a-production-like-key-" + "k3y" * 20,
            "ALLOWED_HOSTS": "editorial.example.org",
        },
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


@pytest.mark.slow
def test_a_redis_cache_url_means_djangos_own_redis_backend_even_with_django_redis_around(tmp_path):
    """django-environ would pick django-redis whenever it is importable (its options differ):
    a stray package must not change which cache the rate limits and pages use."""
    (tmp_path / "django_redis").mkdir()
    (tmp_path / "django_redis" / "__init__.py").write_text("")

    result = run_django(
        "from django.conf import settings; "
        "print(settings.CACHES['default']['BACKEND'], settings.CACHES['default']['LOCATION'])",
        DEBUG="true",
        CACHE_URL="redis://redis:6379/1",
        PYTHONPATH=str(tmp_path),
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "django.core.cache.backends.redis.RedisCache",
        "redis://redis:6379/1",
    ]


@pytest.mark.slow
def test_without_cache_url_each_process_has_its_own_memory_cache():
    result = run_django(
        "from django.conf import settings; print(settings.CACHES['default']['BACKEND'])",
        DEBUG="true",
    )

    assert result.stdout.strip() == "django.core.cache.backends.locmem.LocMemCache"
