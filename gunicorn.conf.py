"""gunicorn settings for production. Every value can be overridden on the command line.

Threaded workers (gthread): pages are short database reads, and a streamed export of a
million rows may take a minute. With gthread the worker's main thread keeps telling the
master it is alive while request threads stream, so `timeout` guards against a hung
worker rather than cutting long downloads. Every single query is still cut off by
PostgreSQL's statement_timeout (DATABASE_STATEMENT_TIMEOUT_MS, 5 s by default), well
below the timeout. Each thread holds its own database connection: plan the PostgreSQL
max_connections for servers × workers × threads.
"""

import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", multiprocessing.cpu_count() * 2 + 1))
worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS", 4))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", 30))
graceful_timeout = 30
keepalive = 5
max_requests = 2000
max_requests_jitter = 200
accesslog = "-"
errorlog = "-"
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1")
