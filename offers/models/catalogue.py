"""What is sold and under which refund terms: DemoPackage and RefundPolicy snippets."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel
from wagtail.fields import RichTextField
from wagtail.models import DraftStateMixin, LockableMixin, RevisionMixin
from wagtail.search import index

from offers import money


class DemoPackage(DraftStateMixin, LockableMixin, RevisionMixin, index.Indexed, models.Model):
    """A fixed-price package (e.g. the one-workday demo) with its daily capacity.

    The row holds the published version; drafts live in revisions. Orders record
    the revision they were sold under, so editing a package never changes past sales.
    """

    name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=80, unique=True)
    short_description = models.TextField(max_length=400, blank=True)
    included_items = models.TextField(blank=True, help_text="What the customer gets, one item per line.")
    price = models.DecimalField(max_digits=10, decimal_places=2, help_text="Gross price, VAT included.")
    currency = models.CharField(max_length=3, choices=money.currency_choices, default=money.DEFAULT_CURRENCY)
    delivery_working_days = models.PositiveSmallIntegerField(
        default=1, validators=[MinValueValidator(1)], help_text="Working days from the start of work to delivery."
    )
    credited_toward_full_site = models.BooleanField(
        default=True, help_text="The price is credited toward a full website when the customer goes ahead."
    )
    active = models.BooleanField(default=True, help_text="Inactive packages cannot be bought.")
    capacity_per_day = models.PositiveSmallIntegerField(
        default=2,
        validators=[MinValueValidator(1)],
        help_text="How many of these the agency can start per working day.",
    )
    horizon_working_days = models.PositiveSmallIntegerField(
        default=20, validators=[MinValueValidator(1)], help_text="How many working days ahead can be booked."
    )

    panels = [
        FieldPanel("name"),
        FieldPanel("slug"),
        FieldPanel("short_description"),
        FieldPanel("included_items"),
        FieldRowPanel([FieldPanel("price"), FieldPanel("currency")], heading="Price"),
        FieldPanel("delivery_working_days"),
        FieldPanel("credited_toward_full_site"),
        MultiFieldPanel(
            [FieldPanel("active"), FieldPanel("capacity_per_day"), FieldPanel("horizon_working_days")],
            heading="Availability",
        ),
    ]
    search_fields = [index.SearchField("name"), index.SearchField("short_description"), index.FilterField("active")]

    class Meta:
        verbose_name = "demo package"
        ordering = ["name"]

    def __str__(self):
        return self.name

    def clean(self):
        super().clean()
        if self.price is None or not self.currency:
            return
        if self.currency not in money.CURRENCIES:
            raise ValidationError({"currency": f"{self.currency} is not a currency we can charge in."})
        if not money.has_valid_decimals(self.price, self.currency):
            places = money.get_currency(self.currency).decimals
            raise ValidationError(
                {"price": f"{self.currency} prices have {places} decimal place{'' if places == 1 else 's'}."}
            )
        minimum = money.minimum_charge(self.currency)
        if self.price < minimum:
            raise ValidationError(
                {"price": f"The lowest price card payments allow is {money.format_money(minimum, self.currency)}."}
            )

    @property
    def included_list(self):
        return [line.strip(" -•\t") for line in self.included_items.splitlines() if line.strip(" -•\t")]

    @property
    def price_display(self):
        return money.format_money(self.price, self.currency)

    @property
    def price_plain(self):
        """The price as a plain decimal ("90.00"), for schema.org and data attributes."""
        return money.plain_decimal(self.price, self.currency)

    @property
    def price_minor_units(self):
        return money.to_minor_units(Decimal(self.price), self.currency)

    @property
    def delivery_text(self):
        days = self.delivery_working_days
        return "one working day" if days == 1 else f"{days} working days"


class RefundPolicy(DraftStateMixin, LockableMixin, RevisionMixin, index.Indexed, models.Model):
    """Refund terms an offer is sold under, with a public page at /offers/refund-policy/<slug>/."""

    class Approval(models.TextChoices):
        AUTOMATIC = "automatic", "Automatic inside the window"
        STAFF = "staff", "Staff approve each refund"

    name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=80, unique=True)
    summary = models.TextField(max_length=400, help_text="One or two sentences shown beside the price.")
    full_text = RichTextField(features=["h2", "h3", "bold", "italic", "link", "ol", "ul"])
    refund_window_days = models.PositiveSmallIntegerField(
        default=14, validators=[MinValueValidator(1)], help_text="Calendar days after delivery to ask for a refund."
    )
    refund_percentage = models.PositiveSmallIntegerField(
        default=100, validators=[MinValueValidator(1), MaxValueValidator(100)]
    )
    approval = models.CharField(max_length=20, choices=Approval.choices, default=Approval.AUTOMATIC)

    panels = [
        FieldPanel("name"),
        FieldPanel("slug"),
        FieldPanel("summary"),
        FieldRowPanel([FieldPanel("refund_window_days"), FieldPanel("refund_percentage"), FieldPanel("approval")]),
        FieldPanel("full_text"),
    ]
    # The site search finds its public page: "title" is what the index weighs as a title;
    # "name" stays for the snippet admin's search, which searches by field.
    search_fields = [
        index.SearchField("title"),
        index.SearchField("name"),
        index.SearchField("summary"),
        index.SearchField("full_text"),
    ]

    class Meta:
        verbose_name = "refund policy"
        verbose_name_plural = "refund policies"
        ordering = ["name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("offers:refund_policy", kwargs={"slug": self.slug})

    @property
    def title(self):
        """The name and what the document is, so a search for "refund" finds the policy by its title."""
        return f"{self.name} (refund policy)"

    @property
    def is_automatic(self):
        return self.approval == self.Approval.AUTOMATIC

    @property
    def refund_text(self):
        share = "your money back" if self.refund_percentage == 100 else f"{self.refund_percentage} % of the price back"
        return f"{share} if you ask within {self.refund_window_days} days of delivery"
