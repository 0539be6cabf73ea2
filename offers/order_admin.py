"""Orders in the Wagtail admin (Stripe events: offers.stripe_events_admin), grouped under one menu.

Both are read-only records: nobody adds, edits or deletes them here. Staff act
through actions the state table allows (cancel an unpaid order; the guarantee
adds more), each behind its own permission.
"""

import django_filters
from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from wagtail import hooks
from wagtail.admin.filters import DateRangePickerWidget, WagtailFilterSet
from wagtail.admin.ui.tables import Column
from wagtail.admin.views.generic import IndexView, InspectView
from wagtail.admin.viewsets.model import ModelViewSet, ModelViewSetGroup
from wagtail.admin.widgets.button import HeaderButton
from wagtail.permission_policies.base import ModelPermissionPolicy
from wagtail.permissions import policy_registry, register_permission_policy

from offers import display, money, order_sections
from offers.aftercare import deadlines, disputes, guarantee, refunds
from offers.aftercare import tasks as staff_tasks
from offers.catalogue.vat import agency_vat
from offers.checkout import apply_session as fulfilment
from offers.checkout import tax_rate
from offers.models.orders import Order, StripeEvent
from offers.models.tasks import StaffTask
from offers.orders import transitions
from offers.privacy import admin_views as privacy_admin
from offers.stripe_events_admin import StripeEventViewSet


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


# A cell starting with one of these is a formula to Excel, LibreOffice and Sheets:
# a buyer's "=HYPERLINK(...)" in their company name must reach staff as text.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def neutralise_formula(value):
    """A spreadsheet cell that is shown as typed: text starting like a formula gets a leading apostrophe."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


class OrderIndexView(IndexView):
    """The orders listing, with the refund report; filtered by deadline it is sorted by deadline."""

    def write_csv_row(self, writer, row_dict):
        return super().write_csv_row(writer, {field: neutralise_formula(value) for field, value in row_dict.items()})

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
    """The order in sections (customer, money, guarantee, dispute, brief, staff tasks, history, e-mails, Stripe).

    Actions in the order work happens (start, deliver, refund, dispute evidence, cancel an unpaid
    order); the personal-data ones in the "Actions" menu, erasure last.
    """

    template_name = "checkout/admin/order_inspect.html"

    def get_fields(self):
        return []  # sections (offers.order_sections) replace the generic field list

    def get_page_title(self):
        return f"Order {self.object.reference}"

    def get_page_subtitle(self):
        return self.object.get_status_display()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        order = self.object
        context["sections"] = order_sections.sections(order)
        context["stripe_ids"] = order_sections.stripe_ids(order)
        context["history"] = order.history.select_related("user", "stripe_event")
        context["stripe_events"] = order.stripe_events.all()
        context["emails"] = order.sent_emails.all()
        context["hold"] = getattr(order, "slot_hold", None)
        context["refunds"] = order.refunds.all()
        context["deadline_missed"] = refunds.deadline_missed(order)
        context["staff_tasks"] = order.staff_tasks.select_related("done_by")
        context["may_do_tasks"] = OrderViewSet.permission_policy_for(Order).user_has_permission(
            self.request.user, "deliver"
        )
        context["now"] = timezone.now()
        context["time_zone"] = settings.TIME_ZONE
        return context

    @property
    def header_buttons(self):
        order = self.object
        policy = OrderViewSet.permission_policy_for(Order)
        buttons = guarantee_buttons(self.request.user, order, policy)
        if transitions.allowed(order.status, Order.Status.CANCELLED, "staff_cancel") and policy.user_has_permission(
            self.request.user, "cancel"
        ):
            buttons.append(
                HeaderButton("Cancel order", url=reverse("order:cancel", args=[order.pk]), icon_name="cross")
            )
        # Buttons sort by (priority, label): the priority keeps the workflow's order, not the alphabet's.
        for priority, button in enumerate(buttons):
            button.priority = priority
        return buttons

    def get_header_more_buttons(self):
        return sorted(privacy_admin.buttons(self.request.user, self.object))


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


def task_done(request, pk):
    """Marks a staff task done (POST) by the signed-in user; back to where it was done from."""
    if not OrderViewSet.permission_policy_for(Order).user_has_permission(request.user, "deliver"):
        raise PermissionDenied
    task = get_object_or_404(StaffTask, pk=pk)
    back = reverse("order:inspect", args=[task.order_id]) if task.order_id else reverse("wagtailadmin_home")
    if request.POST.get("next") == "home":
        back = reverse("wagtailadmin_home")
    if request.method == "POST":
        try:
            staff_tasks.mark_done(task.pk, user=request.user)
        except staff_tasks.AlreadyDone as exc:
            messages.info(request, str(exc))
        else:
            messages.success(request, f"Done: {task.title}.")
    return redirect(back)


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
                request,
                f"{order.reference} is delivered; the customer can decide until "
                f"{display.datetime_text(order.refund_deadline, seconds=True)}.",
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
            messages.success(
                request, f"{order.reference}: {money.format_money(order.amount_refunded, order.currency)} refunded."
            )
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
        # Dates as dates and times in the site's zone, named: a relative "Just now" misreads tomorrow's slot.
        Column(
            "slot_date", label="Slot", accessor=lambda order: display.date_text(order.slot_date), sort_key="slot_date"
        ),
        DeadlineColumn(
            "delivery_deadline",
            label="Deliver by",
            accessor=lambda order: display.short_datetime_text(order.delivery_deadline),
            sort_key="delivery_deadline",
        ),
        Column("amount_display", label="Amount"),
        Column(
            "created_at",
            label="Ordered",
            accessor=lambda order: display.short_datetime_text(order.created_at),
            sort_key="created_at",
        ),
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
            path("task-done/<int:pk>/", task_done, name="task_done"),
            *privacy_admin.urlpatterns(),
        ]


class OrdersGroup(ModelViewSetGroup):
    menu_label = "Orders"
    menu_icon = "list-ul"
    menu_order = 250
    items = (OrderViewSet, StripeEventViewSet)


@hooks.register("register_admin_viewset")
def register_order_admin():
    return OrdersGroup()
