"""Clicks on banners' calls to action, counted per banner per day: no visitor data at all."""

from django.db import models


class BannerClickDay(models.Model):
    """How many times a banner's call to action was followed on one day (in TIME_ZONE).

    Deliberately just a number: no IP address, user agent, cookie or visitor id,
    so counting needs no consent and stores nothing personal.
    """

    banner = models.ForeignKey("offers.OfferBanner", on_delete=models.CASCADE, related_name="click_days")
    day = models.DateField()
    clicks = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["banner", "day"], name="one_click_count_per_banner_day")]
        ordering = ["-day", "banner"]
        verbose_name = "banner clicks on a day"
        verbose_name_plural = "banner clicks per day"

    def __str__(self):
        return f"{self.banner_id} on {self.day}: {self.clicks}"
