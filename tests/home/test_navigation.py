"""The header menu: built from the page tree's "Show in menus", in tree order, with the visitor's place marked."""

import re

import pytest
from django.core.management import call_command
from wagtail.models import Page

from tests.factories import ContentPageFactory, publish

pytestmark = pytest.mark.django_db

MENU = re.compile(r'<nav class="site-nav" aria-label="Main">(.*?)</nav>', re.S)


def menu(client, path="/"):
    """(label, href, aria-current) of each header menu link, the fixed search link left out."""
    response = client.get(path)
    assert response.status_code == 200, path
    nav = MENU.search(response.content.decode()).group(1)
    links = re.findall(r'<li><a href="([^"]+)"(?: aria-current="([^"]+)")?>([^<]+)</a></li>', nav)
    return [(label, href, current) for href, current, label in links]


def labels(client, path="/"):
    return [label for label, _href, _current in menu(client, path)]


@pytest.fixture
def demo():
    call_command("load_demo_content", verbosity=0)


def test_demo_menu_is_about_learn_offers_and_contact_in_that_order(client, demo):
    assert menu(client) == [
        ("About us", "/about/", ""),
        ("Learn", "/learn/", ""),
        ("Offers", "/offers/", ""),
        ("Contact", "/contact/", ""),
    ]


def test_the_page_a_visitor_is_on_is_marked_and_its_section_too(client, demo):
    assert ("About us", "/about/", "page") in menu(client, "/about/")
    article = menu(client, "/learn/back-end-development/")
    assert ("Learn", "/learn/", "true") in article
    assert [current for _label, _href, current in article if current] == ["true"]
    assert ("Offers", "/offers/", "true") in menu(client, "/offers/demo-website/")


def test_editors_change_the_menu_with_show_in_menus_and_publishing(client, demo):
    about = Page.objects.get(slug="about").specific
    about.show_in_menus = False
    publish(about)
    imprint = Page.objects.get(slug="imprint").specific
    imprint.show_in_menus = True
    publish(imprint)
    # The imprint sits before Learn in the tree.
    assert labels(client) == ["Imprint", "Learn", "Offers", "Contact"]


def test_a_draft_does_not_change_the_menu(client, demo):
    about = Page.objects.get(slug="about").specific
    about.show_in_menus = False
    about.save_revision()
    assert labels(client)[0] == "About us"


def test_editors_order_the_menu_by_sorting_the_pages_in_the_tree(client, demo):
    contact = Page.objects.get(slug="contact")
    about = Page.objects.get(slug="about")
    contact.move(about, pos="left")
    assert labels(client) == ["Contact", "About us", "Learn", "Offers"]


def test_unpublished_and_private_pages_stay_out_of_the_menu(client, demo):
    Page.objects.get(slug="about").specific.unpublish()
    home = Page.objects.get(depth=2)
    ContentPageFactory(parent=home, title="Draft page", slug="draft", show_in_menus=True, live=False)
    assert labels(client) == ["Learn", "Offers", "Contact"]


def test_the_demo_loader_gives_an_older_demo_database_its_menu(client, demo):
    # A database loaded before the menu was editable: no page shows in menus.
    Page.objects.filter(show_in_menus=True).update(show_in_menus=False)
    call_command("clear_page_cache", verbosity=0)
    assert labels(client) == []
    call_command("load_demo_content", verbosity=0)
    assert labels(client) == ["About us", "Learn", "Offers", "Contact"]


def test_the_demo_loader_leaves_a_menu_editors_made_alone(client, demo):
    about = Page.objects.get(slug="about").specific
    about.show_in_menus = False
    publish(about)
    call_command("load_demo_content", verbosity=0)
    assert labels(client) == ["Learn", "Offers", "Contact"]


def test_the_demo_loader_keeps_an_editors_draft_a_draft(client, demo):
    Page.objects.filter(show_in_menus=True).update(show_in_menus=False)
    about = Page.objects.get(slug="about").specific
    about.title = "About the studio"
    about.save_revision()
    call_command("load_demo_content", verbosity=0)
    about = Page.objects.get(slug="about").specific
    assert about.title == "About us" and about.has_unpublished_changes
    assert about.get_latest_revision_as_object().title == "About the studio"
    assert about.get_latest_revision_as_object().show_in_menus
    assert labels(client)[0] == "About us"


def test_the_menu_is_built_once_per_content_change_not_on_every_page(client, demo, monkeypatch):
    from home import navigation

    builds = []
    build = navigation._build
    monkeypatch.setattr(navigation, "_build", lambda site: builds.append(site) or build(site))
    for path in ("/", "/about/", "/learn/", "/learn/back-end-development/", "/offers/"):
        assert labels(client, path) == ["About us", "Learn", "Offers", "Contact"]
    assert len(builds) == 1
    publish(Page.objects.get(slug="contact").specific)
    labels(client, "/")
    assert len(builds) == 2


def test_editors_find_show_in_menus_ticked_on_the_promote_tab(admin_client, demo):
    about = Page.objects.get(slug="about")
    html = admin_client.get(f"/admin/pages/{about.pk}/edit/").content.decode()
    checkbox = re.search(r'<input[^>]*name="show_in_menus"[^>]*>', html).group(0)
    assert "checked" in checkbox
