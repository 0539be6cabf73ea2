"""The customer's order page `/orders/<token>/`: HTTP in, a guarantee service call, the outcome as a page.

The token is the order's own token signed with Django's signing (salted for
this purpose), valid for a year. GET only shows; every action is a POST with
CSRF behind a confirmation page, so a link-following e-mail scanner changes
nothing. Responses are not stored, not indexed and send no referrer.
"""

import functools
from datetime import timedelta

from django.core.signing import BadSignature, SignatureExpired, TimestampSigner
from django.http import HttpResponseNotAllowed, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache

from config.rate_limit import Limit, rate_limited, too_many_requests
from offers.aftercare import emails as guarantee_emails
from offers.aftercare import guarantee, refunds
from offers.models.orders import Order
from offers.orders import transitions
from offers.orders.emails import ORDER_LINK_SALT

TOKEN_MAX_AGE = timedelta(days=365)
RESEND_RATE_LIMIT = Limit("order-link", 5, 60 * 60)
S = Order.Status

ACTIONS = {
    "accept": ("Include the demo in my website", "guarantee/confirm_accept.html"),
    "refund": ("Refund me", "guarantee/confirm_refund.html"),
    "withdraw": ("Withdraw from contract", "guarantee/confirm_withdraw.html"),
    "claim": ("Claim the full refund for the missed deadline", "guarantee/confirm_claim.html"),
}


def private(view):
    """Never cached, never indexed, no referrer leaking the token to another site.

    same-origin rather than no-referrer: under no-referrer browsers send
    `Origin: null` with the confirmation form's POST, which Django's CSRF
    check rightly refuses, so no customer could confirm an action.
    """

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        response = never_cache(view)(request, *args, **kwargs)
        response["Cache-Control"] = "no-store, private"
        response["X-Robots-Tag"] = "noindex, nofollow"
        response["Referrer-Policy"] = "same-origin"
        return response

    return wrapper


def order_from_token(token):
    """(order, problem): problem is "expired" or "invalid" when the link does not open an order."""
    signer = TimestampSigner(salt=ORDER_LINK_SALT)
    try:
        raw = signer.unsign(token, max_age=TOKEN_MAX_AGE)
    except SignatureExpired:
        return None, "expired"
    except BadSignature:
        return None, "invalid"
    order = Order.objects.filter(token=raw).first()
    return (order, None) if order is not None else (None, "invalid")


def _choices(order, now):
    return {
        "can_decide": order.status == S.DELIVERED and refunds.in_refund_window(order, now),
        "window_closed": order.status == S.DELIVERED and not refunds.in_refund_window(order, now),
        "can_withdraw": refunds.can_withdraw(order, now),
        "withdrawal_deadline": refunds.withdrawal_deadline(order),
        "deadline_missed": refunds.deadline_missed(order, now) and not order.refund_kind,
        "paid": order.status in transitions.PAID_STATES,
    }


def _invalid(request, problem, status=400):
    return TemplateResponse(request, "guarantee/link_invalid.html", {"problem": problem}, status=status)


@private
def order_page(request, token):
    if request.method != "GET":
        return HttpResponseNotAllowed(["GET"])
    order, problem = order_from_token(token)
    if order is None:
        return _invalid(request, problem)
    now = timezone.now()
    context = {"order": order, "token": token, **_choices(order, now), "message": request.GET.get("done", "")}
    return TemplateResponse(request, "guarantee/order_page.html", context)


@private
def order_action(request, token, action):
    """GET: the confirmation step (changes nothing). POST with CSRF: the action, then back to the order page."""
    if action not in ACTIONS:
        return _invalid(request, "invalid", status=404)
    if request.method not in ("GET", "POST"):
        return HttpResponseNotAllowed(["GET", "POST"])
    order, problem = order_from_token(token)
    if order is None:
        return _invalid(request, problem)
    title, template = ACTIONS[action]
    context = {"order": order, "token": token, "title": title, **_choices(order, timezone.now())}
    if request.method == "GET" or request.POST.get("confirm") != "yes":
        return TemplateResponse(request, template, context)
    try:
        if action == "accept":
            guarantee.accept(order.pk)
        elif action == "refund":
            guarantee.ask_refund(order.pk, reason=request.POST.get("reason", ""))
        elif action == "withdraw":
            guarantee.withdraw(order.pk)
        else:
            guarantee.claim_missed_deadline(order.pk)
    except guarantee.NotAllowed as exc:
        order.refresh_from_db()
        return TemplateResponse(
            request, "guarantee/not_possible.html", {**context, "order": order, "reason": str(exc)}, status=409
        )
    return HttpResponseRedirect(reverse("order_page", args=[token]) + f"?done={action}")


@private
def resend_link(request):
    """GET: the "find my order" form. POST: a fresh link to the address's paid orders, the same answer either way."""
    if request.method == "GET":
        return TemplateResponse(request, "guarantee/resend.html", {})
    if request.method != "POST":
        return HttpResponseNotAllowed(["GET", "POST"])
    wait = rate_limited(request, RESEND_RATE_LIMIT)
    if wait:
        return too_many_requests(request, wait, "guarantee/resend_done.html", {"limited": True})
    email = request.POST.get("email", "").strip()
    if email and "@" in email:
        orders = Order.objects.filter(customer_email__iexact=email, status__in=transitions.PAID_STATES)
        for order in orders.order_by("-created_at")[:3]:
            guarantee_emails.send_order_link.enqueue(order.pk)
    return TemplateResponse(request, "guarantee/resend_done.html", {})
