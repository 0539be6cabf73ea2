"""Checkout views: HTTP in, a service call, domain exceptions out as responses. No Stripe call here."""

import logging

from django.conf import settings
from django.http import Http404, HttpResponse, HttpResponseNotAllowed, HttpResponseRedirect
from django.shortcuts import render
from django.template.response import TemplateResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt

from config.client_address import client_address, visitor_key
from config.rate_limit import Limit, count, rate_limited, retry_after, too_many_requests
from offers import money
from offers.checkout import apply_session as fulfilment
from offers.checkout import marker
from offers.checkout import start as checkout
from offers.checkout.buy_form import BuyForm
from offers.models.banners import OfferBanner
from offers.models.orders import Order
from offers.payments import offline, webhooks

logger = logging.getLogger(__name__)

# Seats held per visitor (counted when a hold is made, not per submission: a
# form error costs nothing) and thank-you page views per visitor.
BUY_RATE_LIMIT = Limit("buy", 5, 10 * 60)
RETURN_RATE_LIMIT = Limit("return", 30, 60)


class HttpResponseSeeOther(HttpResponseRedirect):
    status_code = 303


def buy(request, offer_page):
    """GET: the buy form beside price, VAT and refund terms. POST: hold a seat and go to Stripe Checkout (303)."""
    summary = offer_page.offer_summary(request)
    context = {"page": offer_page, "offer": summary, "purchasable": checkout.purchasable(offer_page)}
    if request.method == "GET":
        via = request.GET.get("via", "")
        context["form"] = BuyForm(initial={"via": via if via.isdigit() else None})
        return TemplateResponse(request, "checkout/buy.html", context)
    if request.method != "POST":
        return HttpResponseNotAllowed(["GET", "POST"])
    form = BuyForm(request.POST)
    context["form"] = form
    if form.is_bot():
        logger.info("honeypot filled", extra={"client": client_address(request)})
        return TemplateResponse(request, "checkout/buy.html", {**context, "form": BuyForm()}, status=400)
    wait = retry_after(request, BUY_RATE_LIMIT)
    if wait:
        return too_many_requests(request, wait, "checkout/rate_limited.html", context)
    if not context["purchasable"]:
        return TemplateResponse(request, "checkout/buy.html", context, status=409)
    if not form.is_valid():
        return TemplateResponse(request, "checkout/buy.html", context, status=400)
    data = form.cleaned_data
    buyer = checkout.Buyer(
        name=data["name"],
        email=data["email"],
        company=data["company"],
        brief_business=data["brief_business"],
        brief_existing_site=data["brief_existing_site"],
        brief_goals=data["brief_goals"],
        brief_style=data["brief_style"],
        express_start=data["express_start"],
        terms_accepted=data["accept_terms"],
        source_page=request.META.get("HTTP_REFERER", "")[:300],
        banner_id=_banner_id(data.get("via")),
        visitor_key=visitor_key(request),
        own_orders=marker.own_orders(request),
    )
    try:
        started = checkout.start_checkout(offer_page, buyer)
    except checkout.NoFreeSeat:
        context["no_seat"] = True
        context["offer"] = offer_page.offer_summary(request)
        return TemplateResponse(request, "checkout/buy.html", context, status=409)
    except checkout.NotPurchasable:
        return TemplateResponse(request, "checkout/buy.html", context, status=409)
    except checkout.TooManyHolds as exc:
        wait = max(1, int((exc.retry_at - timezone.now()).total_seconds()) + 1)
        return too_many_requests(request, wait, "checkout/rate_limited.html", {**context, "holds": True})
    except checkout.PaymentUnavailable as exc:
        count(request, BUY_RATE_LIMIT)  # the seat stays held
        context["order"] = exc.order
        response = TemplateResponse(request, "checkout/payment_unavailable.html", context, status=503)
        response["Retry-After"] = "60"
        return marker.mark(response, request, exc.order.pk)
    count(request, BUY_RATE_LIMIT)
    return marker.mark(HttpResponseSeeOther(started.url), request, started.order.pk)


def _banner_id(value):
    if not value:
        return None
    return value if OfferBanner.objects.filter(pk=value).exists() else None


@never_cache
def checkout_return(request):
    """Stripe's success_url: the order's reference and state for a known session only; 404 for anything else."""
    wait = rate_limited(request, RETURN_RATE_LIMIT)
    if wait:
        return too_many_requests(request, wait)
    session_id = request.GET.get("session_id", "")
    order = Order.objects.filter(stripe_session_id=session_id).first() if session_id else None
    if order is None:
        raise Http404("No such order")
    if order.status == Order.Status.PENDING:
        order = fulfilment.refresh_from_provider(order)
    context = {"order": order, "paid": order.paid_at is not None}
    # Only the browser that started the order sees whose it is; a shared or guessed link shows nothing personal.
    context["own"] = order.pk in marker.own_orders(request, marker.RETURN_COOKIE)
    return render(request, "checkout/return.html", context)


@never_cache
def offline_checkout(request, session_id):
    """The offline stand-in for Stripe's payment page (offline mode only): pay, or go back."""
    if not settings.STRIPE_OFFLINE:
        raise Http404("Offline payments are off")
    try:
        session = offline.OfflineBackend().retrieve_session(session_id)
    except Exception as exc:
        raise Http404("No such session") from exc
    if request.method == "POST" and session["status"] == "open":
        session = offline.pay(session_id)
        return HttpResponseSeeOther(session["success_url"].replace("{CHECKOUT_SESSION_ID}", session_id))
    return render(request, "checkout/offline.html", {"session": session, "amount": _session_amount(session)})


def _session_amount(session):
    currency = session["currency"].upper()
    return money.format_money(money.from_minor_units(session["amount_total"], currency), currency)


@csrf_exempt
def stripe_webhook(request):
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    status = webhooks.receive(request.body, request.headers.get("Stripe-Signature"))
    return HttpResponse(status=status)
