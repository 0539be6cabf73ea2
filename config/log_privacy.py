"""Order links are bearer tokens valid for a year: they never reach a log line or a stored copy of an e-mail.

`mask_order_tokens()` turns /orders/<token>/... into /orders/-/... (the resend form's
/orders/resend/ stays readable), and the thank-you page's session id into "-".
`AccessLogger` is gunicorn's logger with its request atoms masked the same way
(`--logger-class config.log_privacy.AccessLogger`); deploy/nginx.conf masks its own log.
"""

import re

from gunicorn.glogging import Logger

ORDER_PATH = re.compile(r"/orders/(?!resend/)[^/?\s\"]+")
SESSION_QUERY = re.compile(r"(session_id=)[^&\s\"]+")


def mask_order_tokens(text):
    if not text:
        return text
    return SESSION_QUERY.sub(r"\1-", ORDER_PATH.sub("/orders/-", text))


class AccessLogger(Logger):
    """gunicorn's access log without order tokens: request line, path, query, referrer and any header or environ atom."""

    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        return {name: mask_order_tokens(value) if isinstance(value, str) else value for name, value in atoms.items()}
