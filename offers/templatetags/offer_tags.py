"""Template tags for offers: banners, offer summaries and JSON-LD."""

import json

from django import template
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from offers.models.banners import OfferBanner
from offers.models.pages import OfferPage

register = template.Library()

# Pages that belong to buying or to an order never show a banner.
CHECKOUT_PATH_PREFIXES = ("/checkout/", "/orders/", "/stripe/")
_JSON_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}


@register.simple_tag
def json_ld(data):
    """A schema.org data block; the JSON is escaped so it cannot close the script element."""
    if not data:
        return ""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":")).translate(_JSON_ESCAPES)
    return format_html('<script type="application/ld+json">{}</script>', mark_safe(text))  # noqa: S308


@register.simple_tag(takes_context=True)
def offer_summary(context, offer_page):
    """The price, VAT line, delivery time and availability of an offer page (None for any other page)."""
    offer_page = getattr(offer_page, "specific", offer_page)
    if not isinstance(offer_page, OfferPage):
        return None
    return offer_page.offer_summary(context.get("request"))


def _hide_banners(context, page) -> bool:
    if context.get("hide_offer_banners"):
        return True
    request = context.get("request")
    if request is None:
        return True
    path = request.path
    return path.startswith(CHECKOUT_PATH_PREFIXES) or "/buy/" in path


def banners_for_request(context) -> dict[str, OfferBanner]:
    """The winning live banner per placement for this request, found with one query and kept on the request."""
    request = context.get("request")
    page = context.get("page")
    cached = getattr(request, "_offer_banners", None) if request is not None else None
    if cached is not None:
        return cached
    chosen: dict[str, OfferBanner] = {}
    if not _hide_banners(context, page):
        page = page if getattr(page, "path", None) else None
        for banner in OfferBanner.objects.for_page(page):
            chosen.setdefault(banner.placement, banner)
    if request is not None:
        request._offer_banners = chosen
    return chosen


def _render(context, banner):
    if banner is None:
        return ""
    request = context.get("request")
    return render_to_string(
        f"offers/banners/{banner.placement}.html",
        {
            "banner": banner,
            "offer_url": banner.offer_page.get_url(request),
            # The call to action goes through the click counter, which redirects to offer_url.
            "cta_url": reverse("offers:banner_click", args=[banner.pk]),
            "request": request,
        },
    )


@register.simple_tag(takes_context=True)
def offer_banners(context):
    """The site-wide bar and the dialog chosen for this page (for base.html's banner block)."""
    chosen = banners_for_request(context)
    return mark_safe(  # noqa: S308
        "".join(
            _render(context, chosen.get(placement))
            for placement in (OfferBanner.Placement.BAR, OfferBanner.Placement.DIALOG)
        )
    )


@register.simple_tag(takes_context=True)
def inline_offer_banner(context):
    """The inline card chosen for this page (article templates call it after the intro)."""
    return mark_safe(_render(context, banners_for_request(context).get(OfferBanner.Placement.INLINE)))  # noqa: S308


@register.simple_tag
def is_offer_page(page):
    return isinstance(getattr(page, "specific", page), OfferPage)


@register.inclusion_tag("offers/includes/closing_offer.html", takes_context=True)
def closing_offer(context):
    """The offer card an article ends with, whatever its banners and whatever a reader dismissed.

    A dismissed banner must not leave a reader with no way to the offer. An
    article whose body already ends with an offer block gets no second card.
    One query: price and delivery come with the page; the next free slot is
    for the offer page to show, so an article costs no availability lookup.
    """
    page = context.get("page")
    body = getattr(page, "body", None)
    if body and body[len(body) - 1].block_type == "offer":
        return {"offer_page": None}
    offers = OfferPage.objects.live().public().select_related("package").order_by("path")
    return {"offer_page": offers.first(), "request": context.get("request")}
