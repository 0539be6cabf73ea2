"""Demo content for the home app: the site root and the home page."""

from wagtail.models import Page, Site

from .models import HomePage


def load():
    """Return the default Site with a HomePage at its root, creating them once."""
    home = HomePage.objects.first()
    if home is None:
        # Wagtail's own placeholder page from its first migration serves no one,
        # and holds the slug "home".
        Page.objects.filter(depth=2, content_type__app_label="wagtailcore", content_type__model="page").delete()
        root = Page.get_first_root_node()
        home = root.add_child(
            instance=HomePage(
                title="Brightside Web Studio",
                slug="home",
                intro="<p>A demo website in one workday, for 90 €. Keep it in your full project or get your money back.</p>",
            )
        )
    site = Site.objects.filter(is_default_site=True).first()
    if site is None:
        site = Site.objects.create(
            hostname="localhost", port=80, root_page=home, is_default_site=True, site_name="Brightside Web Studio"
        )
    elif site.root_page_id != home.pk:
        site.root_page = home
        site.save()
    return site
