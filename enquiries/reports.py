"""Enquiry figures for the admin's sales panel: how many people wrote in each month (TIME_ZONE's months)."""

from datetime import date, datetime, time

from django.db.models import Count, Q
from django.utils import timezone

from enquiries.models import Enquiry


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=timezone.get_default_timezone())


def monthly_counts(spans: list[tuple[date, date]]) -> tuple[str, list[int]]:
    """Enquiries received in each [start, end) span of days, in one query."""
    if not spans:
        return "Enquiries", []
    counts = Enquiry.objects.aggregate(
        **{
            f"span{index}": Count("pk", filter=Q(submit_time__gte=_midnight(start), submit_time__lt=_midnight(end)))
            for index, (start, end) in enumerate(spans)
        }
    )
    return "Enquiries", [counts[f"span{index}"] for index in range(len(spans))]
