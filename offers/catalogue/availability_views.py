"""The current availability of an offer, read fresh on every request.

Cached pages (config.page_cache) leave the next free slot out of their HTML,
because it changes with every hold, payment and expiry and at midnight:
static/js/availability.js reads it here as JSON, and a visitor without
JavaScript follows a link to the same address and gets a small page.
"""

from django.http import JsonResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.utils.cache import patch_vary_headers
from django.views.decorators.cache import never_cache

from offers.models.pages import OfferPage


@never_cache
def offer_availability(request, page_id):
    # By `id` (Page's own integer field), not `pk` (the page_ptr link): Django turns an id out of the database's
    # range into "no match" only for integer fields, and a tampered 30-digit id would otherwise overflow (500).
    page = get_object_or_404(OfferPage.objects.live().public().select_related("package", "refund_policy"), id=page_id)
    summary = page.offer_summary(request)
    if "application/json" in request.headers.get("Accept", ""):
        slot = summary.next_free_slot
        response = JsonResponse(
            {
                "can_buy": summary.can_buy,
                "next_free_slot": slot.isoformat() if slot else None,
                "message": summary.availability_message,
            }
        )
    else:
        response = TemplateResponse(request, "offers/availability.html", {"page": page, "offer": summary})
    patch_vary_headers(response, ["Accept"])
    return response
