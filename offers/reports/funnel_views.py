"""The banner funnel report (admin). The counting lives in offers.reports.funnel."""

from datetime import date

from django import forms
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.template.response import TemplateResponse
from django.urls import reverse

from offers.reports import funnel
from offers.reports import sales as dashboard


class FunnelRangeForm(forms.Form):
    start = forms.DateField(label="From", widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    end = forms.DateField(label="To (inclusive)", widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))

    def is_valid(self):
        valid = super().is_valid()
        for name in self.errors:
            if name in self.fields:
                # The error message below the input is read out with it (ids as the template renders them).
                self.fields[name].widget.attrs["aria-describedby"] = f"{self[name].id_for_label}-error"
        return valid

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start"), cleaned.get("end")
        if end == date.max:
            # The report counts up to midnight after `end`, which does not exist for the last representable day.
            raise forms.ValidationError("Choose an end date before 31 December 9999.")
        if start and end:
            if start > end:
                raise forms.ValidationError("The start date must be on or before the end date.")
            if (end - start).days >= funnel.MAX_RANGE_DAYS:
                raise forms.ValidationError(f"Choose a range of at most {funnel.MAX_RANGE_DAYS} days.")
        return cleaned


def funnel_report(request):
    """Per banner, for a range of days (default the last 30): clicks, checkouts, paid, refunded, conversion."""
    if not dashboard.may_see_sales(request.user):
        raise PermissionDenied
    start, end = funnel.default_range()
    if "start" in request.GET or "end" in request.GET:
        form = FunnelRangeForm(request.GET)
    else:
        form = FunnelRangeForm(initial={"start": start, "end": end})
    status = 200
    if form.is_bound:
        if form.is_valid():
            start, end = form.cleaned_data["start"], form.cleaned_data["end"]
        else:
            status = 400
    report = funnel.report(start, end) if status == 200 else None
    context = {"form": form, "report": report, "orders_url": reverse("order:index"), "time_zone": settings.TIME_ZONE}
    return TemplateResponse(request, "offers/admin/funnel_report.html", context, status=status)
