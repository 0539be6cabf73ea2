"""Shared factories. Each app adds its own; add, don't rewrite."""

import factory
import wagtail_factories
from wagtail.models import Page, Site

from home.models import AgencySettings, ContentPage, HomePage


class HomePageFactory(wagtail_factories.PageFactory):
    title = "Brightside Web Studio"
    slug = "start"
    hero_headline = "A demo website in one workday, for 90 €."
    hero_text = "<p>Keep it in your full project or get your money back.</p>"
    cta_text = "See the offer"
    reasons = factory.LazyFunction(
        lambda: [
            ("reason", {"title": "You see it first", "text": "A working demo by the end of the day."}),
            ("reason", {"title": "A small, fixed price", "text": "90 € and nothing more."}),
            ("reason", {"title": "No risk", "text": "Keep it or get your money back."}),
        ]
    )

    class Meta:
        model = HomePage


class ContentPageFactory(wagtail_factories.PageFactory):
    title = factory.Sequence(lambda n: f"Content page {n}")
    intro = "<p>A short introduction to this page.</p>"
    body = factory.LazyFunction(
        lambda: [
            ("heading", {"text": "A section heading", "anchor": ""}),
            ("paragraph", "<p>Some plain words about the agency.</p>"),
        ]
    )

    class Meta:
        model = ContentPage


class AgencySettingsFactory(factory.django.DjangoModelFactory):
    name = "Brightside Web Studio"
    tagline = "Fast, plain websites for small businesses."
    email = "hello@brightside.example"
    phone = "+49 30 1234 5678"
    street_address = "Lindenstraße 12"
    postal_code = "10969"
    city = "Berlin"
    country = "Germany"
    legal_name = "Brightside Web Studio GmbH"
    vat_id = "DE000000000"

    class Meta:
        model = AgencySettings
        django_get_or_create = ("site",)


def make_site_with_home(**home_kwargs):
    """The default Site serving a fresh HomePage (test client requests reach it on any host)."""
    home = HomePageFactory(parent=Page.get_first_root_node(), **home_kwargs)
    site = Site.objects.filter(is_default_site=True).first()
    if site is None:
        site = Site.objects.create(hostname="testserver", port=80, root_page=home, is_default_site=True)
    else:
        site.hostname, site.port, site.root_page = "testserver", 80, home
        site.save()
    return site
