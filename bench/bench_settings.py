"""Settings for the HTTP benchmarks: the project's own, plus a baseline view the app never serves.

gunicorn runs with DJANGO_SETTINGS_MODULE=bench.bench_settings so the plain
view (bench/bench_urls.py) sits on the same server as the API it is compared with.
"""

from gridgov.settings import *  # noqa: F401,F403

ROOT_URLCONF = "bench.bench_urls"
