"""Demo content for the home app: the default Site, the home page, content pages and agency settings.

`load()` is idempotent: it creates what is missing, fills a page's content only when the
page is created, and never duplicates anything.
"""

from decimal import Decimal
from urllib.parse import urlsplit

from django.conf import settings
from django.urls import NoReverseMatch, reverse
from wagtail.models import Page, Site

from config import page_cache

from .models import AgencySettings, ContentPage, HomePage

AGENCY_NAME = "Brightside Web Studio"

HOME = {
    "title": AGENCY_NAME,
    "slug": "home",
    "hero_headline": "A demo website in one workday, for 90 €.",
    "hero_text": (
        "<p>Tell us about your business in the morning; by the end of the day you see a working demo of "
        "your new website. If you like it, it becomes part of your full project. If you don’t, "
        "you get your 90 € back.</p>"
    ),
    "cta_text": "See the offer",
    "seo_title": "Websites for small businesses, starting with a one-day demo",
    "search_description": (
        "Brightside Web Studio in Berlin builds fast, plain websites. Start with a demo website in one "
        "workday for 90 €: keep it in your full project or get your money back."
    ),
}

REASONS = [
    {
        "title": "You see it before you commit",
        "text": "A working demo on a real address, not a sketch. You click through it on your own phone.",
    },
    {
        "title": "A small, fixed price",
        "text": "90 € for the demo, with no subscription behind it. The full project gets a written quote.",
    },
    {
        "title": "No risk for you",
        "text": "Keep the demo as the start of your site, or ask for a refund and get every cent back.",
    },
]


def paragraph(html):
    return ("paragraph", html)


def heading(text):
    return ("heading", {"text": text, "anchor": ""})


CONTENT_PAGES = [
    {
        "slug": "about",
        "title": "About us",
        "intro": "<p>We are a small web studio in Berlin. We build websites that load fast and read well.</p>",
        "body": [
            heading("Who we are"),
            paragraph(
                "<p>Brightside Web Studio is two developers and a designer. We have built sites for bakeries, "
                "therapists, architects and a few shops with more products than shelf space.</p>"
            ),
            heading("How we work"),
            paragraph(
                "<p>We start small. The one-day demo shows you what your site could be, with your words and "
                "your pictures. From there we agree on the full project in writing: what it includes, what "
                "it costs and when it is done.</p>"
            ),
            paragraph(
                "<p>We write plain HTML and CSS, keep pages light and avoid trackers. Your visitors get a fast "
                "site; you get one you can edit yourself.</p>"
            ),
        ],
    },
    {
        "slug": "contact",
        "title": "Contact",
        "intro": "<p>Write to us or call. We answer on working days within one day.</p>",
        "body": [
            heading("E-mail and phone"),
            paragraph(
                '<p>E-mail: <a href="mailto:hello@brightside.example">hello@brightside.example</a><br>'
                "Phone: +49 30 1234 5678 (Monday to Friday, 9:00 to 17:00)</p>"
            ),
            heading("Visit us"),
            paragraph(
                "<p>Brightside Web Studio, Lindenstraße 12, 10969 Berlin. Please call before you come: "
                "we are often out with clients.</p>"
            ),
            heading("Already ordered?"),
            paragraph(
                "<p>Reply to the confirmation e-mail you received. It reaches the person working on your demo.</p>"
            ),
        ],
    },
    {
        "slug": "imprint",
        "title": "Imprint",
        "intro": "<p>Who is responsible for this website.</p>",
        "body": [
            heading("Provider"),
            paragraph(
                "<p>Brightside Web Studio GmbH<br>Lindenstraße 12<br>10969 Berlin<br>Germany</p>"
                "<p>Managing director: Mara Lindqvist<br>Commercial register: Amtsgericht Berlin-Charlottenburg, "
                "HRB 000000 (demo)<br>VAT ID: DE000000000 (demo)</p>"
            ),
            heading("Contact"),
            paragraph("<p>E-mail: hello@brightside.example<br>Phone: +49 30 1234 5678</p>"),
            heading("Responsible for content"),
            paragraph("<p>Mara Lindqvist, address as above.</p>"),
            paragraph("<p>This is a demo website. The company and its details are invented.</p>"),
        ],
    },
    {
        "slug": "privacy",
        "title": "Privacy",
        "intro": "<p>What we collect when you use this site or buy from us, and why.</p>",
        "body": [
            heading("When you read this site"),
            paragraph(
                "<p>We set no cookies for reading and use no trackers, analytics or third-party fonts. "
                "Our server keeps a short log of requests (address, time, page) for up to 14 days to keep "
                "the site safe.</p>"
            ),
            heading("When you buy a demo"),
            paragraph(
                "<p>We store your name, e-mail address, what you ordered and whether you paid. Payments are "
                "handled by Stripe; we never see your card number. We keep order records for as long as tax "
                "law requires (ten years in Germany).</p>"
            ),
            heading("Your rights"),
            paragraph(
                "<p>You may ask what we store about you, have it corrected or deleted, and complain to a data "
                "protection authority. Write to hello@brightside.example.</p>"
            ),
        ],
    },
    {
        "slug": "terms-of-sale",
        "title": "Terms of sale",
        "intro": "<p>The terms for buying a demo website from us, in plain words.</p>",
        "body": [
            heading("What you buy"),
            paragraph(
                "<p>A demo website built in one workday from the information you give us. The price is shown "
                "before you pay and includes VAT.</p>"
            ),
            heading("Delivery"),
            paragraph(
                "<p>We start on the working day you booked and send you the link by the end of that day. If we "
                "miss the deadline, you can ask for a full refund.</p>"
            ),
            heading("Keep it or get your money back"),
            paragraph(
                "<p>If you go on to a full project with us, the demo becomes part of it. If you don’t like the "
                "demo, ask for a refund within the period stated in the refund policy and we pay back the full "
                "price to the card you used.</p>"
            ),
            heading("Right of withdrawal"),
            paragraph(
                "<p>As a consumer you may withdraw from the contract within 14 days. If you ask us to start "
                "within that period, you agree that the work begins before the period ends.</p>"
            ),
        ],
    },
]

SETTINGS = {
    "name": AGENCY_NAME,
    "tagline": "Fast, plain websites for small businesses in Berlin and beyond.",
    "email": "hello@brightside.example",
    "phone": "+49 30 1234 5678",
    "street_address": "Lindenstraße 12",
    "postal_code": "10969",
    "city": "Berlin",
    "country": "Germany",
    "legal_name": "Brightside Web Studio GmbH",
    "register_details": "Amtsgericht Berlin-Charlottenburg, HRB 000000 (demo)",
    "vat_id": "DE000000000",
    "vat_exempt": False,
    "vat_rate": Decimal("19.00"),
    "vat_exemption_note": "",
    "mastodon_url": "https://mastodon.example/@brightside",
    "github_url": "https://github.com/brightside-web-studio-demo",
}

# The header menu of the demo, in this order: slugs of the home page's children.
MENU_SLUGS = ("about", "learn", "offers", "contact")


def load():
    """Return the default Site with a HomePage at its root, creating the demo content once."""
    home = _home_page()
    site = _default_site(home)
    pages = {spec["slug"]: _content_page(home, spec) for spec in CONTENT_PAGES}
    _agency_settings(site, pages)
    return site


def _home_page():
    home = HomePage.objects.first()
    if home is not None:
        return home
    root = Page.get_first_root_node()
    # Wagtail's placeholder page from its first migration holds the "home" slug; deleting it
    # also deletes the default Site pointing at it, which _default_site() then recreates.
    Page.objects.filter(depth=2, content_type__app_label="wagtailcore", content_type__model="page").delete()
    home = HomePage(**HOME, reasons=[("reason", reason) for reason in REASONS])
    root.add_child(instance=home)
    home.save_revision().publish()
    return home


def site_address():
    """(hostname, port) of SITE_BASE_URL: where visitors reach the site, so where its links must point."""
    base = urlsplit(settings.SITE_BASE_URL)
    return base.hostname, base.port or (443 if base.scheme == "https" else 80)


def _default_site(home):
    hostname, port = site_address()
    site = Site.objects.filter(is_default_site=True).first()
    if site is None:
        return Site.objects.create(
            hostname=hostname, port=port, root_page=home, is_default_site=True, site_name=AGENCY_NAME
        )
    changed = False
    if site.root_page_id != home.pk:
        site.root_page = home
        changed = True
    # The Site's address makes canonical links and the sitemap: it follows SITE_BASE_URL (so
    # `make run PORT=8061` on a database made on port 8000 links to 8061), unless another
    # Site already answers at that address.
    taken = Site.objects.filter(hostname=hostname, port=port).exclude(pk=site.pk).exists()
    if (site.hostname, site.port) != (hostname, port) and not taken:
        site.hostname, site.port = hostname, port
        changed = True
    if not site.site_name:
        site.site_name = AGENCY_NAME
        changed = True
    if changed:
        site.save()
    # Wagtail's placeholder page is no longer reachable once the home page is the root.
    Page.objects.filter(depth=2, content_type__app_label="wagtailcore", content_type__model="page").delete()
    return site


def _content_page(home, spec):
    # Any page at the slug counts: another app's demo may have replaced one (the Contact page by a form page).
    page = Page.objects.child_of(home).filter(slug=spec["slug"]).first()
    if page is not None:
        return page.specific
    page = ContentPage(title=spec["title"], slug=spec["slug"], intro=spec["intro"], body=spec["body"])
    home.add_child(instance=page)
    page.save_revision().publish()
    return page


def _refund_policy_url():
    """The offers demo's refund policy address, if the offers app provides one."""
    try:
        # Deferred and optional: home runs without the offers app (demo data is the named exception).
        from offers.demo import POLICY_SLUG
    except ImportError:
        return ""
    try:
        return reverse("offers:refund_policy", kwargs={"slug": POLICY_SLUG})
    except NoReverseMatch:
        return ""


def _agency_settings(site, pages):
    agency = AgencySettings.for_site(site)
    if agency.email:
        return agency
    for field, value in SETTINGS.items():
        setattr(agency, field, value)
    agency.contact_page = pages["contact"]
    agency.imprint_page = pages["imprint"]
    agency.privacy_page = pages["privacy"]
    agency.terms_page = pages["terms-of-sale"]
    agency.refund_policy_url = _refund_policy_url()
    agency.save()
    return agency


def arrange_menu(site):
    """Put About, Learn, the offers and Contact in the header menu, in that order, unless editors made a menu.

    Runs after every app's demo content exists. A database whose home page has no
    child in the menu yet (a fresh one, or one loaded before the menu was editable)
    gets the demo menu; once any page shows in menus, the menu is the editors' and
    is left alone.
    """
    children = Page.objects.child_of(site.root_page)
    if children.filter(show_in_menus=True).exists():
        return []
    by_slug = {page.slug: page for page in children.filter(slug__in=MENU_SLUGS)}
    pages = [by_slug[slug] for slug in MENU_SLUGS if slug in by_slug]
    for earlier, later in zip(pages, pages[1:], strict=False):
        earlier.refresh_from_db()
        later.refresh_from_db()
        if later.path < earlier.path:
            later.move(earlier, pos="right")
    for page in pages:
        _show_in_menus(Page.objects.get(pk=page.pk).specific)
    return pages


def _show_in_menus(page):
    """Tick "Show in menus" on the live page and on its latest revision, publishing nothing else."""
    if page.has_unpublished_changes and page.latest_revision is not None:
        # An editor's unpublished draft stays a draft: change the live row and the draft alike.
        Page.objects.filter(pk=page.pk).update(show_in_menus=True)
        revision = page.latest_revision
        revision.content["show_in_menus"] = True
        revision.save(update_fields=["content"])
        page_cache.invalidate("demo menu arranged")
        return
    page.show_in_menus = True
    page.save_revision().publish()
