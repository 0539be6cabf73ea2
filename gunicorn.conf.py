"""gunicorn's configuration for every environment (`make serve`, `make bench`, production).

gunicorn reads this file from the working directory by itself; each value can be
changed from the environment, so one file serves a laptop and a server.

Why threads: a page-cache hit takes about a millisecond, an uncached render tens,
a buy request waits on Stripe for up to STRIPE_BUDGET_SECONDS. With sync workers
every slow request takes a whole process, so two slow renders or one hanging
Stripe call stall everything behind them. gthread workers give each process
several threads: while some wait (on Stripe, on PostgreSQL) the others keep
answering cached pages and other buyers.

Why the timeout: a sync worker busy past `timeout` seconds is killed with its
request; a gthread worker is not, but the proxy in front gives up on it (set
nginx's proxy_read_timeout to the same value). The site's own deadline for all
Stripe calls of a request (STRIPE_BUDGET_SECONDS, read by Django from the same
environment) ends at least 5 s before it, so a buyer always gets the site's "no
payment was taken" page, never a dropped connection or a 502; production
settings refuse a budget that does not.
"""

import os


def _int(name, default):
    return int(os.environ.get(name) or default)


bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
worker_class = os.environ.get("GUNICORN_WORKER_CLASS", "gthread")
# About two processes per core, each with a few threads (the GIL is released while waiting on I/O).
workers = _int("WEB_CONCURRENCY", 2)
threads = _int("GUNICORN_THREADS", 4)
timeout = _int("GUNICORN_TIMEOUT", 30)
graceful_timeout = _int("GUNICORN_GRACEFUL_TIMEOUT", 20)
# Behind nginx with upstream keepalive: hold idle connections a little longer than the proxy needs.
keepalive = _int("GUNICORN_KEEPALIVE", 5)
# A worker is replaced after this many requests (with jitter, so not all at once): slow leaks stay bounded.
max_requests = _int("GUNICORN_MAX_REQUESTS", 2000)
max_requests_jitter = _int("GUNICORN_MAX_REQUESTS_JITTER", 200)
# gunicorn 27 opens a control socket under ~/.gunicorn otherwise; the site does not use it.
control_socket_disable = True
# "-" is standard output; set it empty to log no requests (the benchmark does).
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-") or None
# Order links and Checkout Session ids never reach the access log (config/log_privacy.py).
logger_class = "config.log_privacy.AccessLogger"
access_log_format = '%(h)s "%(r)s" %(s)s %(b)s %(M)sms %({x-request-id}o)s'
