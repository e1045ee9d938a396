"""Helpers for HTTP benchmarks: start gunicorn on a free loopback port, drive it with N keep-alive clients.

Loopback only and always bounded (a request count and a time limit). Plain
threads with http.client: each client holds one keep-alive connection (gunicorn's
gthread worker keeps it open) and sends its next request when the last one
answered, or after an exponential think time when `think` is set (phones that
report now and then, instead of as fast as they can).
"""

import http.client
import itertools
import os
import random
import signal
import socket
import statistics
import subprocess
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LOOPBACK = "127.0.0.1"


@dataclass
class Run:
    seconds: float
    latencies: list = field(default_factory=list)  # seconds, of answered requests
    statuses: Counter = field(default_factory=Counter)
    first_error: str = ""

    def ok(self, expected):
        return self.statuses.get(expected, 0)

    def throughput(self, expected):
        return self.ok(expected) / self.seconds if self.seconds else 0.0

    def percentile_ms(self, q):
        if not self.latencies:
            return float("nan")
        ordered = sorted(self.latencies)
        return 1000 * ordered[min(len(ordered) - 1, int(round(q / 100 * (len(ordered) - 1))))]

    @property
    def p50_ms(self):
        return 1000 * statistics.median(self.latencies) if self.latencies else float("nan")

    @property
    def p99_ms(self):
        return self.percentile_ms(99)


def free_port():
    with socket.socket() as s:
        s.bind((LOOPBACK, 0))
        return s.getsockname()[1]


class Gunicorn:
    """`with Gunicorn(env=...) as server:` runs gunicorn gridgov.wsgi on a free loopback port."""

    def __init__(self, *, env, workers=4, threads=4, ready_path="/bench/plain/"):
        self.port = free_port()
        self.env = {**os.environ, **env}
        self.args = [
            str(ROOT / ".venv" / "bin" / "gunicorn"), "gridgov.wsgi", "-c", str(ROOT / "deploy" / "gunicorn.conf.py"),
            "--bind", f"{LOOPBACK}:{self.port}", "--workers", str(workers), "--threads", str(threads),
            "--worker-class", "gthread", "--keep-alive", "30", "--log-level", "warning",
        ]
        self.ready_path = ready_path
        self.process = None

    def __enter__(self):
        self.process = subprocess.Popen(self.args, cwd=ROOT, env=self.env, start_new_session=True)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {self.process.returncode}")
            try:
                conn = http.client.HTTPConnection(LOOPBACK, self.port, timeout=2)
                conn.request("GET", self.ready_path)
                if conn.getresponse().status < 500:
                    conn.close()
                    return self
            except OSError:
                time.sleep(0.3)
        self.__exit__(None, None, None)
        raise RuntimeError("gunicorn did not answer within 60 s")

    def __exit__(self, *exc):
        if self.process and self.process.poll() is None:
            # Only the process group this object started.
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()


def drive(port, request_for, *, clients=50, max_requests=3000, max_seconds=20.0, think=None, seed=0):
    """Send up to `max_requests` requests (for at most `max_seconds`) from `clients` threads.

    `request_for(i)` -> (method, path, body bytes or None, headers) for the i-th request.
    """
    counter = itertools.count()
    start = threading.Barrier(clients + 1)
    results = [Run(0.0) for _ in range(clients)]
    stop = [0.0]

    def client(k):
        rng = random.Random(seed * 1000 + k)
        run = results[k]
        conn = http.client.HTTPConnection(LOOPBACK, port, timeout=30)
        start.wait()
        if think:
            time.sleep(rng.uniform(0, min(think, max_seconds)))  # paced clients start spread out, not in one burst
        while True:
            i = next(counter)  # atomic in CPython
            if i >= max_requests or time.monotonic() >= stop[0]:
                break
            method, path, body, headers = request_for(i)
            began = time.perf_counter()
            try:
                conn.request(method, path, body=body, headers=headers)
                response = conn.getresponse()
                payload = response.read()
                run.latencies.append(time.perf_counter() - began)
                run.statuses[response.status] += 1
                if response.status >= 400 and not run.first_error:
                    run.first_error = f"{response.status}: {payload[:300]!r}"
            except (OSError, http.client.HTTPException) as exc:
                run.statuses["error"] += 1
                run.first_error = run.first_error or repr(exc)
                conn.close()
                conn = http.client.HTTPConnection(LOOPBACK, port, timeout=30)
            if think:
                # Never sleep past the time limit: the run's elapsed time is the throughput's denominator.
                time.sleep(min(rng.expovariate(1 / think), max(0.0, stop[0] - time.monotonic())))
        conn.close()

    threads = [threading.Thread(target=client, args=(k,), daemon=True) for k in range(clients)]
    for thread in threads:
        thread.start()
    began = time.monotonic()
    stop[0] = began + max_seconds
    start.wait()
    for thread in threads:
        thread.join(max_seconds + 60)
    total = Run(time.monotonic() - began)
    for run in results:
        total.latencies.extend(run.latencies)
        total.statuses.update(run.statuses)
        total.first_error = total.first_error or run.first_error
    return total
