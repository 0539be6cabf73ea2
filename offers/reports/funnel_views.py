"""The banner click redirect (public) and the banner funnel report (admin). The counting lives in offers.reports.funnel."""

from datetime import date

from django import forms
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from offers.models.banners import OfferBanner
from offers.reports import funnel
from offers.reports import sales as dashboard


@require_GET
@never_cache
def banner_click(request, banner_id):
    """Counts one click on a live banner's call to action and sends the visitor to that banner's offer page.

    The destination comes only from the banner itself, never from the request,
    so this cannot be used as an open redirect. Nothing about the visitor is
    stored and no cookie is set. A banner that is not shown any more (a page
    cached before it expired) leads to the offers index, uncounted; an id that
    was never a banner is a 404.
    """
    try:
        banner = funnel.shown_banner(banner_id)
    except OfferBanner.DoesNotExist:
        raise Http404("No such banner") from None
    except funnel.BannerNotShown:
        fallback = funnel.offers_index_url(request)
        if fallback is None:
            raise Http404("This offer is no longer shown") from None
        return HttpResponseRedirect(fallback)
    funnel.record_click(banner.pk)
    return HttpResponseRedirect(funnel.banner_destination(banner, request))


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
