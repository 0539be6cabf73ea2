"""Middleware the project adds around Django's own."""

from django.conf import settings
from django.utils.csp import CSP
from django.views.decorators.csp import csp_override


class PreviewContentSecurityPolicyMiddleware:
    """Lets the admin frame a page preview, which otherwise keeps the public SECURE_CSP.

    Wagtail renders a preview through a second, dummy request for the page's own
    URL (`make_preview_request`) that runs through this middleware stack but
    resolves no URL, so no view decorator can reach it. Its response keeps the
    public policy (the preview shows what the policy would block) except that
    same-origin framing is allowed, set with Django's own `csp_override`. The
    admin's own views get SECURE_CSP_ADMIN from `csp_override` on their URL
    patterns (config/urls.py).

    Place it after ContentSecurityPolicyMiddleware so that it sees the response
    first and the CSP middleware builds the header from the config it set.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.get_preview_response = csp_override({**settings.SECURE_CSP, "frame-ancestors": [CSP.SELF]})(get_response)

    def __call__(self, request):
        if getattr(request, "is_dummy", False):
            return self.get_preview_response(request)
        return self.get_response(request)
