"""Middleware the project adds around Django's own."""

from django.conf import settings
from django.urls import reverse
from django.utils.csp import CSP


class AdminContentSecurityPolicyMiddleware:
    """Give Wagtail's admin its own, slightly wider Content-Security-Policy.

    Public pages get the strict SECURE_CSP. Wagtail 8's admin cannot run under
    it: its date, time and date-time widgets, InlinePanel and
    MultipleChooserPanel (and search promotions) initialise through inline
    `<script>` blocks, and HTML the admin inserts with jQuery has its scripts
    re-evaluated inline, so neither a nonce nor hashes can cover them. Its rich
    text editor (Draftail) adds `<style>` elements for placeholders and list
    numbering, whose content changes per block. Its preview panel frames the
    page preview, which `frame-ancestors 'none'` forbids. So under the admin
    prefix only, SECURE_CSP_ADMIN allows inline scripts and styles and
    same-origin framing; every source stays same-origin (nothing from other
    hosts, no plugins, forms post only here or to Stripe). The admin is only
    reachable by signed-in staff, and Wagtail escapes what editors enter.

    A preview is rendered by a second, dummy request for the page's own URL
    (Wagtail's make_preview_request) that runs through this stack too: it
    keeps the public policy, so the preview shows what the policy would
    block, except that the admin may frame it.

    Place it after ContentSecurityPolicyMiddleware so that it sees the response
    first and the CSP middleware builds the header from the config it set.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.admin_prefix = None

    def __call__(self, request):
        response = self.get_response(request)
        if self.admin_prefix is None:
            self.admin_prefix = reverse("wagtailadmin_home")
        if hasattr(response, "_csp_config"):
            return response
        if getattr(request, "is_dummy", False):
            response._csp_config = {**settings.SECURE_CSP, "frame-ancestors": [CSP.SELF]}
        elif request.path_info.startswith(self.admin_prefix):
            response._csp_config = settings.SECURE_CSP_ADMIN
        return response
