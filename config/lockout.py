"""The page django-axes shows a locked-out login: styled, with the time the lock lifts and Retry-After."""

from axes.helpers import get_cool_off
from django.template.response import TemplateResponse
from django.utils import timezone

LOCKOUT_TEMPLATE = "lockout.html"


def lockout_response(request, original_response=None, credentials=None):
    """429 with the local time the lock lifts (the cool-off counts from the last failed attempt, i.e. now)."""
    cool_off = get_cool_off(request)
    lifts_at = timezone.localtime(timezone.now() + cool_off) if cool_off else None
    response = TemplateResponse(request, LOCKOUT_TEMPLATE, {"lifts_at": lifts_at}, status=429)
    if cool_off:
        response["Retry-After"] = str(int(cool_off.total_seconds()))
    return response.render()
