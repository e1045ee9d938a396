"""A Redis server and a Celery worker of the test's own, as real processes.

Each is started on a free port and stopped by the test's teardown; the shared
Redis on 6379 is never touched (other people's tests use it). The worker runs
the project's real code against the test database, so the database must be
reachable from another process: PostGIS always is; SpatiaLite only when the
test database is a file (GRIDGOV_TEST_SQLITE_FILE, see gridgov/settings.py).
"""

import os
import random
import signal
import socket
import subprocess
import time
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote

import pytest

ROOT = Path(__file__).resolve().parent.parent
CELERY = ROOT / ".venv" / "bin" / "celery"
PORTS = range(6390, 6490)


def wait_for(predicate, timeout=30.0, interval=0.2):
    """Poll `predicate` until it returns something true or `timeout` seconds pass; return its last value."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(interval)


def worker_database_url():
    """The test database as a DATABASE_URL another process can open; None if it cannot (in-memory SQLite)."""
    from django.db import connection

    s = connection.settings_dict
    if s["ENGINE"].endswith("postgis"):
        auth = f"{quote(s['USER'] or '')}:{quote(s['PASSWORD'] or '')}@" if s["USER"] else ""
        return f"postgis://{auth}{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"
    name = str(s["NAME"])
    if connection.is_in_memory_db() or not name.startswith("/"):
        return None
    return f"spatialite:///{name}"


def require_worker_database():
    """`worker_database_url()`, or skip the test when no other process can open the test database."""
    url = worker_database_url()
    if url is None:
        pytest.skip(
            "the SpatiaLite test database is in memory, which a worker process cannot open; "
            "set GRIDGOV_TEST_SQLITE_FILE=/path/to/test.sqlite3 (deploy/test.sh does) to run this"
        )
    return url


def _port_free(port):
    with socket.socket() as probe:
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


class RedisServer:
    """redis-server on a free port, no persistence: a restart starts empty, like a lost broker."""

    def __init__(self, workdir):
        self.workdir = Path(workdir)
        self.port = None
        self.process = None

    @property
    def url(self):
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self, timeout=10.0):
        ports = list(PORTS)
        random.shuffle(ports)  # parallel runs (PostGIS and SpatiaLite) rarely try the same port
        for port in [self.port] if self.port else [p for p in ports if _port_free(p)][:10]:
            self.port = port
            self.process = subprocess.Popen(
                ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
                 "--dir", str(self.workdir), "--logfile", str(self.workdir / f"redis-{port}.log")],
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            )
            wait_for(lambda: self.process.poll() is not None or self.ping(), timeout)
            if self.process.poll() is None and self.ping():
                return self
            self.stop()
        raise RuntimeError(f"redis-server did not start; see {self.workdir}")

    def ping(self):
        import redis

        try:
            return redis.Redis(port=self.port, socket_connect_timeout=0.5, socket_timeout=0.5).ping()
        except redis.RedisError:
            return False

    def client(self):
        import redis

        return redis.Redis(port=self.port, socket_connect_timeout=1, socket_timeout=2)

    def stop(self):
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)
        self.process = None


class CeleryWorker:
    """`celery -A gridgov worker --pool=solo` on the given broker and database."""

    def __init__(self, broker_url, database_url, workdir):
        self.logfile = Path(workdir) / f"worker-{os.getpid()}-{random.randrange(1 << 30)}.log"
        self.outfile = self.logfile.with_suffix(".out")
        self.env = {
            **os.environ,
            "DATABASE_URL": database_url,
            "CELERY_BROKER_URL": broker_url,
            "DJANGO_SETTINGS_MODULE": "gridgov.settings",
            "PYTHONPATH": str(ROOT),
            "LOG_LEVEL": "WARNING",
        }
        self.process = None

    def start(self, timeout=60.0):
        self.process = subprocess.Popen(
            [str(CELERY), "-A", "gridgov", "worker", "--pool=solo", "--concurrency=1", "-Q", "celery",
             "--without-gossip", "--without-mingle", "--without-heartbeat", "--loglevel=INFO",
             f"--logfile={self.logfile}", "-n", f"test-{self.logfile.stem}@%h"],
            cwd=ROOT, env=self.env, stdout=self.outfile.open("wb"), stderr=subprocess.STDOUT,
        )
        ready = wait_for(lambda: self.process.poll() is not None or " ready." in self.log(), timeout, 0.25)
        if not ready or self.process.poll() is not None:
            log = self.log()
            self.stop()
            raise RuntimeError(f"the Celery worker did not start:\n{log[-3000:]}")
        return self

    def log(self):
        text = ""
        for path in (self.outfile, self.logfile):  # start-up errors go to stdout, the rest to the log
            try:
                text += path.read_text(errors="replace")
            except FileNotFoundError:
                pass
        return text

    def stop(self):
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)  # warm shutdown: finish the task in hand
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)
        self.process = None


def _reset_publisher(app):
    """Drop the app's pooled broker connections so the next publish connects to the current URL."""
    from kombu import pools

    pools.reset()  # kombu keeps one pool per URL in a global registry: close and forget them all
    app._pool = None
    if "amqp" in app.__dict__:
        app.amqp._producer_pool = None


@contextmanager
def use_broker(url):
    """Publish this process's tasks to `url` inside the block.

    Celery reads CELERY_BROKER_URL from the environment before its own
    configuration, so the variable is what must change.
    """
    from gridgov.celery import app

    saved = os.environ.get("CELERY_BROKER_URL")
    os.environ["CELERY_BROKER_URL"] = url
    _reset_publisher(app)
    try:
        yield app
    finally:
        if saved is None:
            os.environ.pop("CELERY_BROKER_URL", None)
        else:
            os.environ["CELERY_BROKER_URL"] = saved
        _reset_publisher(app)


@contextmanager
def worker_on_own_broker(workdir):
    """A redis-server and a Celery worker of the block's own, this process publishing to that Redis.

    Yields the worker; both processes are stopped on the way out, even when the block fails.
    Skips the test when the worker could not open the test database (see require_worker_database).
    """
    url = require_worker_database()
    broker = RedisServer(workdir).start()
    process = CeleryWorker(broker.url, url, workdir).start()
    try:
        with use_broker(broker.url):
            yield process
    finally:
        process.stop()
        broker.stop()


# Module-scoped fixtures for test modules that share one Redis and one worker across their tests;
# a module takes them with `from celery_helpers import broker, worker, worker_db  # noqa: F401`.


@pytest.fixture(scope="module")
def worker_db(django_db_setup):
    return require_worker_database()


@pytest.fixture(scope="module")
def broker(worker_db, tmp_path_factory):
    server = RedisServer(tmp_path_factory.mktemp("redis")).start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def worker(broker, worker_db, tmp_path_factory):
    process = CeleryWorker(broker.url, worker_db, tmp_path_factory.mktemp("worker")).start()
    yield process
    process.stop()
