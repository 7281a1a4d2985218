"""gunicorn settings for production. Every value can be overridden on the command line.

Sync workers: pages are short database reads, and a blocked worker is isolated.
The timeout sits above PostgreSQL's statement_timeout (DATABASE_STATEMENT_TIMEOUT_MS,
5 s by default), so a slow query is cancelled by the database before the worker is killed.
"""

import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", multiprocessing.cpu_count() * 2 + 1))
worker_class = "sync"
timeout = int(os.environ.get("GUNICORN_TIMEOUT", 30))
graceful_timeout = 30
keepalive = 5
max_requests = 2000
max_requests_jitter = 200
accesslog = "-"
errorlog = "-"
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1")
