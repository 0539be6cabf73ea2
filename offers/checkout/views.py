"""Checkout views: HTTP in, a service call, domain exceptions out as responses. No Stripe call here."""

import logging

from django.conf import settings
from django.core.cache import cache
from django.http import Http404, HttpResponse, HttpResponseNotAllowed, HttpResponseRedirect
from django.shortcuts import render
from django.template.response import TemplateResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt

from offers import money
from offers.checkout import apply_session as fulfilment
from offers.checkout import start as checkout
from offers.checkout.buy_form import BuyForm
from offers.models.banners import OfferBanner
from offers.models.orders import Order
from offers.payments import offline, webhooks

logger = logging.getLogger(__name__)

BUY_RATE_LIMIT = (5, 10 * 60)  # submissions per IP per window (seconds)
RETURN_RATE_LIMIT = (30, 60)


class HttpResponseSeeOther(HttpResponseRedirect):
    status_code = 303


def client_ip(request):
    return request.META.get("REMOTE_ADDR", "")


def rate_limited(request, scope, limit):
    """True once this IP made more than `limit[0]` requests of `scope` in the last `limit[1]` seconds."""
    count, window = limit
    key = f"ratelimit:{scope}:{client_ip(request)}"
    cache.add(key, 0, window)
    try:
        used = cache.incr(key)
    except ValueError:
        cache.set(key, 1, window)
        used = 1
    return used > count


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
        logger.info("honeypot filled", extra={"ip": client_ip(request)})
        return TemplateResponse(request, "checkout/buy.html", {**context, "form": BuyForm()}, status=400)
    if rate_limited(request, "buy", BUY_RATE_LIMIT):
        return TemplateResponse(request, "checkout/rate_limited.html", context, status=429)
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
    )
    try:
        url = checkout.start_checkout(offer_page, buyer)
    except checkout.NoFreeSeat:
        context["no_seat"] = True
        context["offer"] = offer_page.offer_summary(request)
        return TemplateResponse(request, "checkout/buy.html", context, status=409)
    except checkout.NotPurchasable:
        return TemplateResponse(request, "checkout/buy.html", context, status=409)
    except checkout.PaymentUnavailable as exc:
        context["order"] = exc.order
        response = TemplateResponse(request, "checkout/payment_unavailable.html", context, status=503)
        response["Retry-After"] = "60"
        return response
    return HttpResponseSeeOther(url)


def _banner_id(value):
    if not value:
        return None
    return value if OfferBanner.objects.filter(pk=value).exists() else None


@never_cache
def checkout_return(request):
    """Stripe's success_url: the order's reference and state for a known session only; 404 for anything else."""
    if rate_limited(request, "return", RETURN_RATE_LIMIT):
        return HttpResponse(
            "Too many requests. Please wait a minute and reload.", status=429, content_type="text/plain"
        )
    session_id = request.GET.get("session_id", "")
    order = Order.objects.filter(stripe_session_id=session_id).first() if session_id else None
    if order is None:
        raise Http404("No such order")
    if order.status == Order.Status.PENDING:
        order = fulfilment.refresh_from_provider(order)
    return render(request, "checkout/return.html", {"order": order, "paid": order.paid_at is not None})


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
