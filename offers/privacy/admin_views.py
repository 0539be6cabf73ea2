"""Staff views for a customer's personal data: a JSON download, and erasure behind a confirmation step.

Thin: permission check, `offers.privacy.personal_data` call, the outcome as a message. Each has its own permission
(`export_personal_data`, `erase_personal_data`), apart from the order admin's other actions.
"""

import json

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from wagtail.admin.widgets.button import Button

from offers.models.orders import Order
from offers.privacy import personal_data as privacy

EXPORT = "offers.export_personal_data"
ERASE = "offers.erase_personal_data"


def _guarded(request, pk, permission):
    if not request.user.has_perm(permission):
        raise PermissionDenied
    order = get_object_or_404(Order, pk=pk)
    return order, reverse("order:inspect", args=[order.pk])


def export_personal_data(request, pk):
    """The customer's personal data over all their orders, as a JSON file."""
    order, _ = _guarded(request, pk, EXPORT)
    data = privacy.export(order, user=request.user)
    response = HttpResponse(
        json.dumps(data, indent=2, ensure_ascii=False), content_type="application/json; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="personal-data-{order.reference}.json"'
    response["Cache-Control"] = "no-store"
    return response


def erase_personal_data(request, pk):
    """GET: what will be erased and what is kept until when. POST with confirm=yes: erased."""
    order, inspect_url = _guarded(request, pk, ERASE)
    orders = list(privacy.customer_orders(order))
    if request.method == "POST" and request.POST.get("confirm") == "yes":
        try:
            privacy.erase(order.pk, user=request.user)
        except privacy.ErasureRefused as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, f"The customer's personal data is erased from {len(orders)} order(s).")
        return redirect(inspect_url)
    context = {
        "order": order,
        "inspect_url": inspect_url,
        "orders": [(item, privacy.retention_date(item) if privacy.money_taken(item) else None) for item in orders],
        "problems": [problem for problem in map(privacy.why_not_erasable, orders) if problem],
    }
    return TemplateResponse(request, "privacy/admin/erase.html", context)


def buttons(user, order):
    """For the inspect view's "Actions" menu, apart from the order's workflow: export first, erasure last."""
    found = []
    if user.has_perm(EXPORT) and not order.personal_data_erased_at:
        found.append(
            Button(
                "Export personal data",
                url=reverse("order:export_personal_data", args=[order.pk]),
                icon_name="download",
                priority=10,
            )
        )
    if user.has_perm(ERASE) and not order.personal_data_erased_at:
        found.append(
            Button(
                "Erase personal data",
                url=reverse("order:erase_personal_data", args=[order.pk]),
                icon_name="bin",
                priority=90,
            )
        )
    return found


def urlpatterns():
    return [
        path("personal-data/<int:pk>/export/", export_personal_data, name="export_personal_data"),
        path("personal-data/<int:pk>/erase/", erase_personal_data, name="erase_personal_data"),
    ]
