"""Orders and Stripe events in the Wagtail admin.

Both are read-only records: nobody adds, edits or deletes them here. Staff act
through actions the state table allows (cancel an unpaid order; the guarantee
adds more), each behind its own permission. Failed Stripe events can be re-run.
"""

import django_filters
from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from wagtail import hooks
from wagtail.admin.filters import DateRangePickerWidget, WagtailFilterSet
from wagtail.admin.ui.tables import Column, DateColumn
from wagtail.admin.views.generic import IndexView, InspectView
from wagtail.admin.viewsets.model import ModelViewSet, ModelViewSetGroup
from wagtail.admin.widgets.button import HeaderButton
from wagtail.permission_policies.base import ModelPermissionPolicy
from wagtail.permissions import policy_registry, register_permission_policy

from offers.aftercare import deadlines, disputes, guarantee, refunds
from offers.catalogue.vat import agency_vat
from offers.checkout import apply_session as fulfilment
from offers.checkout import tax_rate
from offers.models.orders import Order, StripeEvent
from offers.orders import transitions
from offers.payments import webhooks
from offers.privacy import admin_views as privacy_admin


class RecordPermissionPolicy(ModelPermissionPolicy):
    """Records are viewed, never added, edited or deleted in the admin; other actions need their own permission."""

    def user_has_permission(self, user, action):
        if action in {"add", "change", "delete"}:
            return False
        return super().user_has_permission(user, action)


register_permission_policy(Order, RecordPermissionPolicy(Order))
register_permission_policy(StripeEvent, RecordPermissionPolicy(StripeEvent))


class OrderFilterSet(WagtailFilterSet):
    status = django_filters.MultipleChoiceFilter(choices=Order.Status.choices)
    deadline = django_filters.ChoiceFilter(
        label="Delivery deadline",
        choices=[("due_soon", "Due soon (not delivered)"), ("missed", "Missed (not delivered)")],
        method="filter_deadline",
    )
    refund_kind = django_filters.ChoiceFilter(
        label="Refunded as",
        choices=[*refunds.KIND_LABELS.items(), ("elsewhere", "Refunded elsewhere (Stripe dashboard)")],
        method="filter_refund_kind",
    )
    slot_date = django_filters.DateFromToRangeFilter(label="Slot date", widget=DateRangePickerWidget)

    class Meta:
        model = Order
        fields = ["status", "slot_date"]

    def filter_deadline(self, queryset, name, value):
        selected = {"due_soon": deadlines.due_soon, "missed": deadlines.missed}.get(value)
        return selected(queryset) if selected else queryset

    def filter_refund_kind(self, queryset, name, value):
        if value == "elsewhere":
            return queryset.filter(refund_kind="", amount_refunded__gt=0)
        return queryset.filter(refund_kind=value) if value else queryset


class DeadlineColumn(Column):
    """The delivery deadline, flagged when it is near or missed and the demo is not delivered."""

    cell_template_name = "guarantee/admin/deadline_cell.html"

    def get_cell_context_data(self, instance, parent_context):
        context = super().get_cell_context_data(instance, parent_context)
        context["flag"] = deadlines.state(instance)
        return context


class OrderIndexView(IndexView):
    """The orders listing, with the refund report; filtered by deadline it is sorted by deadline."""

    def get_ordering(self):
        if self.request.GET.get("deadline") and not self.request.GET.get("ordering"):
            return "delivery_deadline"
        return super().get_ordering()

    def get_context_data(self, *args, **kwargs):
        context = super().get_context_data(*args, **kwargs)
        context["refund_report"] = refunds.report()
        context["deadlines_due_soon"] = deadlines.due_soon().count()
        context["deadlines_missed"] = deadlines.missed().count()
        context["payment_problem"] = tax_rate.known_problem(agency_vat())
        return context


class OrderInspectView(InspectView):
    template_name = "checkout/admin/order_inspect.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        order = self.object
        context["history"] = order.history.select_related("user", "stripe_event")
        context["stripe_events"] = order.stripe_events.all()
        context["emails"] = order.sent_emails.all()
        context["hold"] = getattr(order, "slot_hold", None)
        context["refunds"] = order.refunds.all()
        context["deadline_missed"] = refunds.deadline_missed(order)
        return context

    @property
    def header_buttons(self):
        buttons = []
        order = self.object
        policy = OrderViewSet.permission_policy_for(Order)
        if transitions.allowed(order.status, Order.Status.CANCELLED, "staff_cancel") and policy.user_has_permission(
            self.request.user, "cancel"
        ):
            buttons.append(
                HeaderButton("Cancel order", url=reverse("order:cancel", args=[order.pk]), icon_name="cross")
            )
        buttons.extend(guarantee_buttons(self.request.user, order, policy))
        buttons.extend(privacy_admin.buttons(self.request.user, order))
        return buttons


def guarantee_buttons(user, order, policy):
    """The guarantee's staff actions the state table allows now, each behind its own permission."""
    S = Order.Status
    buttons = []
    if policy.user_has_permission(user, "deliver"):
        if transitions.allowed(order.status, S.IN_PROGRESS, "staff_start"):
            buttons.append(HeaderButton("Start work", url=reverse("order:start", args=[order.pk]), icon_name="cogs"))
        if transitions.allowed(order.status, S.DELIVERED, "staff_deliver"):
            buttons.append(
                HeaderButton("Mark delivered", url=reverse("order:deliver", args=[order.pk]), icon_name="success")
            )
    refundable = (
        order.status == S.REFUND_REQUESTED
        or transitions.allowed(order.status, S.REFUND_REQUESTED, "staff_refund")
        or (order.status == S.DISPUTED and order.dispute_charge_refundable)
    )
    if refundable and refunds.amount_left(order) > 0 and policy.user_has_permission(user, "refund"):
        buttons.append(HeaderButton("Refund", url=reverse("order:refund", args=[order.pk]), icon_name="undo"))
    if order.stripe_dispute_id and policy.user_has_permission(user, "dispute"):
        buttons.append(
            HeaderButton("Dispute evidence", url=reverse("order:evidence", args=[order.pk]), icon_name="doc-full")
        )
    return buttons


def _guarded(request, pk, action):
    if not OrderViewSet.permission_policy_for(Order).user_has_permission(request.user, action):
        raise PermissionDenied
    order = get_object_or_404(Order, pk=pk)
    return order, reverse("order:inspect", args=[order.pk])


def start_order(request, pk):
    """Confirm (GET) and record (POST) that work on a paid order started."""
    order, inspect_url = _guarded(request, pk, "deliver")
    if request.method == "POST":
        try:
            guarantee.start_work(order.pk, user=request.user)
        except guarantee.NotAllowed as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, f"{order.reference} is in progress.")
        return redirect(inspect_url)
    return TemplateResponse(request, "guarantee/admin/order_start.html", {"order": order, "inspect_url": inspect_url})


class DeliverForm(forms.Form):
    demo_url = forms.URLField(label="The demo's URL", max_length=500, assume_scheme="https")


def deliver_order(request, pk):
    """The demo's URL (GET form, POST): delivered, refund deadline stored, the customer e-mailed."""
    order, inspect_url = _guarded(request, pk, "deliver")
    form = DeliverForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            order = guarantee.deliver(order.pk, form.cleaned_data["demo_url"], user=request.user)
        except guarantee.NotAllowed as exc:
            messages.error(request, str(exc))
        else:
            messages.success(
                request, f"{order.reference} is delivered; the customer can decide until {order.refund_deadline}."
            )
        return redirect(inspect_url)
    return TemplateResponse(
        request, "guarantee/admin/order_deliver.html", {"order": order, "form": form, "inspect_url": inspect_url}
    )


def refund_order(request, pk):
    """Confirm (GET: amount per policy or full) and refund (POST) through Stripe, once however often it is posted."""
    order, inspect_url = _guarded(request, pk, "refund")
    if request.method == "POST":
        full = request.POST.get("amount") == "full"
        try:
            order = guarantee.staff_refund(
                order.pk, user=request.user, full=full, reason=request.POST.get("reason", "").strip()[:300]
            )
        except guarantee.NotAllowed as exc:
            messages.error(request, str(exc))
        except refunds.RefundError as exc:
            messages.error(request, f"Stripe did not make the refund; nothing moved, you can retry: {exc}")
        else:
            messages.success(request, f"{order.reference}: {order.amount_refunded} {order.currency} refunded.")
        return redirect(inspect_url)
    context = {
        "order": order,
        "inspect_url": inspect_url,
        "policy_amount": refunds.policy_amount(order, refunds.STAFF),
        "full_amount": refunds.amount_left(order),
    }
    return TemplateResponse(request, "guarantee/admin/order_refund.html", context)


def dispute_evidence(request, pk):
    """The evidence pack assembled from stored data (GET) and its submission to Stripe (POST)."""
    order, inspect_url = _guarded(request, pk, "dispute")
    if request.method == "POST":
        try:
            disputes.submit_evidence(order.pk, user=request.user)
        except disputes.EvidenceError as exc:
            messages.error(request, f"Evidence not submitted: {exc}")
        else:
            messages.success(request, f"Evidence for {order.reference} submitted to Stripe.")
        return redirect(inspect_url)
    policy = OrderViewSet.permission_policy_for(Order)
    context = {
        "order": order,
        "inspect_url": inspect_url,
        "can_refund": policy.user_has_permission(request.user, "refund"),
        **disputes.evidence_pack(order),
    }
    return TemplateResponse(request, "guarantee/admin/order_evidence.html", context)


def accept_dispute(request, pk):
    """Refund instead (POST, from the evidence page's confirmation): the dispute is accepted at Stripe."""
    order, inspect_url = _guarded(request, pk, "refund")
    if request.method != "POST":
        return redirect(reverse("order:evidence", args=[order.pk]))
    try:
        order = disputes.accept(order.pk, user=request.user)
    except disputes.EvidenceError as exc:
        messages.error(request, f"Dispute not accepted: {exc}")
    else:
        messages.success(request, f"{order.reference}: dispute accepted, the bank returns the money to the customer.")
    return redirect(inspect_url)


def cancel_order(request, pk):
    """Confirm (GET) and cancel (POST) an unpaid order: seat released, session expired at Stripe."""
    if not OrderViewSet.permission_policy_for(Order).user_has_permission(request.user, "cancel"):
        raise PermissionDenied
    order = get_object_or_404(Order, pk=pk)
    inspect_url = reverse("order:inspect", args=[order.pk])
    if not transitions.allowed(order.status, Order.Status.CANCELLED, "staff_cancel"):
        messages.error(request, f"{order.reference} is {order.get_status_display().lower()} and cannot be cancelled.")
        return redirect(inspect_url)
    if request.method == "POST":
        try:
            fulfilment.cancel(order.pk, user=request.user, reason=request.POST.get("reason", "").strip())
        except transitions.TransitionNotAllowed:
            messages.error(request, f"{order.reference} changed meanwhile and was not cancelled.")
        else:
            messages.success(request, f"{order.reference} is cancelled and its seat released.")
        return redirect(inspect_url)
    return TemplateResponse(request, "checkout/admin/order_cancel.html", {"order": order, "inspect_url": inspect_url})


class OrderViewSet(ModelViewSet):
    model = Order
    name = "order"
    icon = "list-ul"
    menu_label = "Orders"
    index_view_class = OrderIndexView
    index_template_name = "guarantee/admin/order_index.html"
    inspect_view_enabled = True
    inspect_view_class = OrderInspectView
    copy_view_enabled = False
    form_fields = ["company"]  # required by ModelViewSet; editing is refused by the permission policy
    list_display = [
        "reference",
        "customer_email",
        Column("status", label="Status", accessor="get_status_display"),
        DateColumn("slot_date", label="Slot"),
        DeadlineColumn("delivery_deadline", label="Deliver by", sort_key="delivery_deadline"),
        Column("amount_display", label="Amount"),
        DateColumn("created_at", label="Ordered"),
    ]
    filterset_class = OrderFilterSet
    search_fields = ["reference", "customer_email", "customer_name"]
    search_backend_name = None
    list_export = [
        "reference",
        "status",
        "customer_name",
        "customer_email",
        "company",
        "package_name",
        "amount",
        "currency",
        "vat_rate",
        "slot_date",
        "delivery_deadline",
        "created_at",
        "paid_at",
        "stripe_session_id",
        "stripe_payment_intent_id",
        "delivered_at",
        "refund_deadline",
        "refund_kind",
        "amount_refunded",
        "withdrawn_at",
    ]
    export_filename = "orders"
    inspect_view_fields = [
        "reference",
        "status",
        "customer_name",
        "customer_email",
        "company",
        "billing_address",
        "customer_tax_ids",
        "package_name",
        "amount",
        "currency",
        "vat_line",
        "slot_date",
        "delivery_deadline",
        "refund_window_days",
        "refund_percentage",
        "refund_automatic",
        "terms_version",
        "terms_accepted_at",
        "express_start_requested_at",
        "brief_business",
        "brief_existing_site",
        "brief_goals",
        "brief_style",
        "source_page",
        "banner",
        "offer_page_revision_id",
        "package_revision_id",
        "refund_policy_revision_id",
        "stripe_session_id",
        "stripe_payment_intent_id",
        "stripe_charge_id",
        "stripe_invoice_id",
        "created_at",
        "paid_at",
        "demo_url",
        "delivered_at",
        "refund_deadline",
        "accepted_at",
        "credit_reference",
        "refund_kind",
        "refund_requested_at",
        "refund_reason",
        "refund_amount",
        "amount_refunded",
        "refund_failure",
        "withdrawn_at",
        "stripe_dispute_id",
        "dispute_status",
        "evidence_submitted_at",
        "deadline_warning_sent_at",
        "deadline_missed_at",
    ]

    @staticmethod
    def permission_policy_for(model):
        return policy_registry.get_by_type(model)

    def get_urlpatterns(self):
        return [
            *super().get_urlpatterns(),
            path("cancel/<int:pk>/", cancel_order, name="cancel"),
            path("start/<int:pk>/", start_order, name="start"),
            path("deliver/<int:pk>/", deliver_order, name="deliver"),
            path("refund/<int:pk>/", refund_order, name="refund"),
            path("evidence/<int:pk>/", dispute_evidence, name="evidence"),
            path("accept-dispute/<int:pk>/", accept_dispute, name="accept_dispute"),
            *privacy_admin.urlpatterns(),
        ]


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
        if event.processed_at is None and OrderViewSet.permission_policy_for(StripeEvent).user_has_permission(
            self.request.user, "rerun"
        ):
            return [HeaderButton("Re-run", url=reverse("stripe_event:rerun", args=[event.pk]), icon_name="rotate")]
        return []


def rerun_event(request, pk):
    """Runs a stored event's handler again (POST); an already processed event is left alone."""
    if not OrderViewSet.permission_policy_for(StripeEvent).user_has_permission(request.user, "rerun"):
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


class OrdersGroup(ModelViewSetGroup):
    menu_label = "Orders"
    menu_icon = "list-ul"
    menu_order = 250
    items = (OrderViewSet, StripeEventViewSet)


@hooks.register("register_admin_viewset")
def register_order_admin():
    return OrdersGroup()
