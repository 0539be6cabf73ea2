"""Logs that can be followed through one request: a request id and the visitor's address on every record, JSON lines in production.

The id comes from the proxy's `X-Request-ID` when it is a sane token (so nginx's
access log and ours share it), otherwise a fresh one. It lives in a contextvar
for the length of the request, a logging filter copies it onto every record,
and the response echoes it so a visitor reporting a problem can quote it.
"""

import contextvars
import json
import logging
import re
import uuid
from datetime import UTC, datetime

from config.client_address import client_address

REQUEST_ID_HEADER = "X-Request-ID"
# Letters, digits and a few separators, 8 to 128 characters: what nginx's
# $request_id, UUIDs and load balancers' trace ids look like. Anything else
# (newlines, quotes, megabytes) could forge or flood log lines.
SANE_REQUEST_ID = re.compile(r"[A-Za-z0-9._:@+=/-]{8,128}")

request_id = contextvars.ContextVar("request_id", default="-")
# The visitor's address (config.client_address), so logs name the visitor, not the proxy.
client = contextvars.ContextVar("client", default="-")

# Attributes every LogRecord has; anything else on a record came from `extra=`.
STANDARD_RECORD_ATTRIBUTES = frozenset(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {
    "message",
    "asctime",
    "request_id",
    "client",
}


def incoming_or_new_request_id(value):
    """The proxy's id when it is a sane token, else a new random one."""
    if value and SANE_REQUEST_ID.fullmatch(value):
        return value
    return uuid.uuid4().hex


class RequestIdMiddleware:
    """Sets the request id for everything logged while handling the request, and returns it in a header."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        value = incoming_or_new_request_id(request.headers.get(REQUEST_ID_HEADER))
        request.request_id = value
        token = request_id.set(value)
        client_token = client.set(client_address(request) or "-")
        try:
            response = self.get_response(request)
        finally:
            request_id.reset(token)
            client.reset(client_token)
        response[REQUEST_ID_HEADER] = value
        return response


class RequestIdFilter(logging.Filter):
    """Puts the current request id (or "-" outside a request) on every record."""

    def filter(self, record):
        record.request_id = request_id.get()
        record.client = client.get()
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, request id, and every `extra=` field."""

    def format(self, record):
        entry = {
            "time": datetime.fromtimestamp(record.created, tz=UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", "-"),
            "client": getattr(record, "client", "-"),
        }
        for name, value in vars(record).items():
            if name not in STANDARD_RECORD_ATTRIBUTES and not name.startswith("_"):
                entry[name] = value
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        return json.dumps(entry, default=str)


def logging_config(log_format="json", level="INFO"):
    """The LOGGING setting: JSON lines (production) or plain text (dev, tests), request id on both."""
    formatters = {
        "json": {"()": "config.request_logging.JsonFormatter"},
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
    }
    if log_format not in formatters:
        raise ValueError(f"LOG_FORMAT must be 'json' or 'plain', not {log_format!r}")
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"request_id": {"()": "config.request_logging.RequestIdFilter"}},
        "formatters": {log_format: formatters[log_format]},
        "handlers": {
            "console": {"class": "logging.StreamHandler", "formatter": log_format, "filters": ["request_id"]},
        },
        "root": {"handlers": ["console"], "level": level},
        "loggers": {
            "django.request": {"level": "ERROR"},
            # Its start-up banner on every process; lockouts are still logged.
            "axes.apps": {"level": "WARNING"},
            # Two lines per task run (search index, reference index, purges on every
            # publish) drown what matters; failed tasks are still logged.
            "django.tasks": {"level": "WARNING"},
        },
    }
