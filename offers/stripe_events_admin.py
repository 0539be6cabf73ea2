"""Stripe events in the Wagtail admin: read-only records; a failed one can be re-run (its own permission)."""

import django_filters
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.ui.tables import DateColumn
from wagtail.admin.views.generic import InspectView
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.admin.widgets.button import HeaderButton
from wagtail.permissions import policy_registry

from offers.models.orders import StripeEvent
from offers.payments import webhooks


class StripeEventFilterSet(WagtailFilterSet):
    failed = django_filters.BooleanFilter(label="Failed", method="filter_failed")
    type = django_filters.CharFilter(lookup_expr="icontains")

    class Meta:
        model = StripeEvent
        fields = ["type"]

    def filter_failed(self, queryset, name, value):
        if value is None:
            return queryset
        failed = queryset.filter(processed_at__isnull=True).exclude(error="")
        return failed if value else queryset.exclude(pk__in=failed.values("pk"))


class StripeEventInspectView(InspectView):
    template_name = "checkout/admin/stripe_event_inspect.html"

    @property
    def header_buttons(self):
        event = self.object
        if event.processed_at is None and policy_registry.get_by_type(StripeEvent).user_has_permission(
            self.request.user, "rerun"
        ):
            return [HeaderButton("Re-run", url=reverse("stripe_event:rerun", args=[event.pk]), icon_name="rotate")]
        return []


def rerun_event(request, pk):
    """Runs a stored event's handler again (POST); an already processed event is left alone."""
    if not policy_registry.get_by_type(StripeEvent).user_has_permission(request.user, "rerun"):
        raise PermissionDenied
    event = get_object_or_404(StripeEvent, pk=pk)
    inspect_url = reverse("stripe_event:inspect", args=[event.pk])
    if request.method != "POST":
        return TemplateResponse(
            request, "checkout/admin/stripe_event_rerun.html", {"event": event, "inspect_url": inspect_url}
        )
    if webhooks.process(event.pk):
        messages.success(request, f"{event.type} {event.stripe_id} is processed.")
    else:
        event.refresh_from_db()
        messages.error(request, f"{event.type} {event.stripe_id} failed again: {event.error}")
    return redirect(inspect_url)


class StripeEventViewSet(ModelViewSet):
    model = StripeEvent
    name = "stripe_event"
    icon = "warning"
    menu_label = "Stripe events"
    inspect_view_enabled = True
    inspect_view_class = StripeEventInspectView
    copy_view_enabled = False
    form_fields = ["outcome"]  # required by ModelViewSet; editing is refused by the permission policy
    list_display = [
        "stripe_id",
        "type",
        DateColumn("received_at", label="Received"),
        DateColumn("processed_at", label="Processed"),
        "attempts",
        "outcome",
        "error",
    ]
    filterset_class = StripeEventFilterSet
    search_fields = ["stripe_id", "type"]
    search_backend_name = None
    inspect_view_fields = [
        "stripe_id",
        "type",
        "api_version",
        "order",
        "received_at",
        "processed_at",
        "attempts",
        "outcome",
        "error",
        "payload",
    ]

    def get_urlpatterns(self):
        return [*super().get_urlpatterns(), path("rerun/<int:pk>/", rerun_event, name="rerun")]
