"""The agency's working calendar, a site setting read by offers/catalogue/workdays.py."""

from datetime import time

from django.core.exceptions import ValidationError
from django.db import models
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel
from wagtail.contrib.settings.models import BaseSiteSetting, register_setting
from wagtail.models import Orderable, Site

WEEKDAY_FIELDS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


@register_setting(icon="date")
class WorkingCalendar(ClusterableModel, BaseSiteSetting):
    """Working weekdays, working hours and public holidays, in settings.TIME_ZONE."""

    monday = models.BooleanField(default=True)
    tuesday = models.BooleanField(default=True)
    wednesday = models.BooleanField(default=True)
    thursday = models.BooleanField(default=True)
    friday = models.BooleanField(default=True)
    saturday = models.BooleanField(default=False)
    sunday = models.BooleanField(default=False)
    work_starts_at = models.TimeField(default=time(9, 0), help_text="Start of working hours (local time).")
    work_ends_at = models.TimeField(
        default=time(17, 0), help_text="End of working hours: the deadline of a day's work."
    )

    panels = [
        MultiFieldPanel(
            [FieldRowPanel([FieldPanel(name) for name in WEEKDAY_FIELDS])],
            heading="Working days",
        ),
        FieldRowPanel([FieldPanel("work_starts_at"), FieldPanel("work_ends_at")], heading="Working hours"),
        InlinePanel("holidays", heading="Public holidays", label="Holiday"),
    ]

    class Meta:
        verbose_name = "working calendar"

    def clean(self):
        super().clean()
        if self.work_starts_at and self.work_ends_at and self.work_ends_at <= self.work_starts_at:
            raise ValidationError({"work_ends_at": "Working hours must end after they start."})
        if not any(getattr(self, name) for name in WEEKDAY_FIELDS):
            raise ValidationError("Choose at least one working day.")

    @classmethod
    def load(cls, site=None):
        """The setting for `site` (default site when None); an unsaved default when there is no site."""
        site = site or Site.objects.filter(is_default_site=True).first()
        if site is None:
            return cls()
        return cls.for_site(site)


class PublicHoliday(Orderable):
    calendar = ParentalKey(WorkingCalendar, on_delete=models.CASCADE, related_name="holidays")
    date = models.DateField()
    name = models.CharField(max_length=100, blank=True)

    panels = [FieldRowPanel([FieldPanel("date"), FieldPanel("name")])]

    class Meta(Orderable.Meta):
        verbose_name = "public holiday"

    def __str__(self):
        return f"{self.date:%Y-%m-%d} {self.name}".strip()
