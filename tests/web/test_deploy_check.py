"""`manage.py check --deploy` is clean with the README's production environment (issue 11).

Run in a subprocess, because settings are read from the environment once, at start-up.
"""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# README "Deployment", step 4: what /etc/gridgov.env sets for HTTPS behind deploy/nginx.conf.
PRODUCTION = {
    "SECRET_KEY": "k3Q9vTz1-Lm8wP0xR4sN7cYb2hJ6gF5dA1eU9iO3tK8qW2zX7vB4nM6pL0sD3fG",
    "GRIDGOV_REQUIRE_SECRET": "1",
    "DEBUG": "0",
    "ALLOWED_HOSTS": "gridgov.example.gov.cn",
    "CSRF_TRUSTED_ORIGINS": "https://gridgov.example.gov.cn",
    "SECURE_COOKIES": "1",
    "SECURE_PROXY_SSL_HEADER": "1",
    "SECURE_SSL_REDIRECT": "1",
    "SECURE_HSTS_SECONDS": "31536000",
}
# Variables of the demo and of other tests that must not leak into the run.
UNSET = ("SECURE_HSTS_INCLUDE_SUBDOMAINS", "SECURE_HSTS_PRELOAD", "DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE")


def manage(*args, **env):
    environ = {k: v for k, v in os.environ.items() if k not in PRODUCTION and k not in UNSET}
    environ.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=environ, capture_output=True, text=True, timeout=300,
    )


def test_check_deploy_is_clean_in_production():
    result = manage("check", "--deploy", "--fail-level", "WARNING", **PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "WARNING" not in result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_the_demo_environment_is_not_taken_for_production():
    result = manage("check", "--deploy")
    output = result.stdout + result.stderr
    for warning in ("security.W004", "security.W008", "security.W009", "security.W012", "security.W016"):
        assert warning in output


def test_production_settings_are_what_the_variables_say():
    code = (
        "from django.conf import settings as s; "
        "print(s.SECURE_HSTS_SECONDS, s.SECURE_SSL_REDIRECT, s.SECURE_PROXY_SSL_HEADER, "
        "s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.CONTENT_SECURITY_POLICY['DIRECTIVES']['script-src'])"
    )
    result = manage("shell", "-c", code, **PRODUCTION)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == (
        "31536000 True ('HTTP_X_FORWARDED_PROTO', 'https') True True [\"'self'\", csp.constants.NONCE]"
    )
    demo = manage("shell", "-c", code)
    assert demo.stdout.strip().splitlines()[-1].startswith("0 False None False False")


def test_a_bad_value_stops_start_up_with_its_name():
    result = manage("check", SECURE_HSTS_SECONDS="one year")
    assert result.returncode != 0 and "SECURE_HSTS_SECONDS='one year': expected an integer" in result.stderr
    result = manage("check", SECURE_HSTS_SECONDS="-1")
    assert result.returncode != 0 and "SECURE_HSTS_SECONDS=-1" in result.stderr
    result = manage("check", SECURE_SSL_REDIRECT="maybe")
    assert result.returncode != 0 and "SECURE_SSL_REDIRECT='maybe'" in result.stderr
