"""Serving a form page: the spam checks, then the form with its errors or the thank-you page."""

import logging

from django.http import HttpResponseNotAllowed
from django.template.response import TemplateResponse

from enquiries import spam, submissions

logger = logging.getLogger(__name__)

LIMIT_MESSAGE = (
    "You have sent us several messages in the last hour, so this one was not sent yet. "
    "Your text is still here: please try again in an hour, or write to us by e-mail."
)


def _form_page(page, request, form, status=200):
    context = page.get_context(request)
    context["form"] = form
    return TemplateResponse(request, page.get_template(request), context, status=status)


def serve_form_page(page, request, *args, **kwargs):
    """GET: the form with a fresh signed start time. POST: a bot gets the thank-you with nothing stored;
    a person gets the thank-you once the enquiry is stored, or the form back with what they typed."""
    if request.method == "POST":
        reason = spam.bot_reason(page, request.POST)
        if reason:
            logger.info("enquiry dropped as spam", extra={"page": page.pk, "reason": reason})
            return page.render_landing_page(request, None, *args, **kwargs)
        form = page.get_form(request.POST, page=page, user=request.user)
        if not form.is_valid():
            return _form_page(page, request, form, status=400)
        if spam.over_limit(request):
            form.add_error(None, LIMIT_MESSAGE)
            return _form_page(page, request, form, status=429)
        enquiry = submissions.store(page, form)
        spam.count_sent(request)
        return page.render_landing_page(request, enquiry, *args, **kwargs)
    if request.method not in ("GET", "HEAD"):
        return HttpResponseNotAllowed(["GET", "POST"])
    form = page.get_form(page=page, user=request.user, initial={spam.STARTED: spam.start_token(page)})
    return _form_page(page, request, form)
