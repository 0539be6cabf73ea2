"""Visitor and editor journeys in Debian's chromium, against a live server with the demo content.

Every page is checked for what a unit test cannot see: the browser refusing a
script or style under the Content-Security-Policy, JavaScript errors, and
sideways scrolling on a 375 px phone. Screenshots land in test-artifacts/.
"""

import re

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from tests.browser_fixtures import BrowserProblems, check_page

# The live server runs in another thread, so data must be committed; the
# serialized rollback restores what migrations created (Wagtail's root page).
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_reader_goes_from_home_through_learn_to_an_article(page, live_demo_site, artifacts):
    problems = BrowserProblems(page)

    response = page.goto(live_demo_site + "/")
    assert response.status == 200
    expect(page.locator("h1")).to_be_visible()
    check_page(page, "home", artifacts)

    page.locator("a[href='/learn/']").first.click()
    expect(page).to_have_url(live_demo_site + "/learn/")
    expect(page.locator("h1")).to_be_visible()
    check_page(page, "learn-index", artifacts)

    hrefs = page.locator("main a[href^='/learn/']").evaluate_all("links => links.map(a => a.getAttribute('href'))")
    article_hrefs = [href for href in hrefs if re.fullmatch(r"/learn/[\w-]+/", href) and href != "/learn/feed/"]
    assert article_hrefs, f"no article linked from the learn index: {hrefs}"
    page.locator(f"main a[href='{article_hrefs[0]}']").first.click()
    expect(page).to_have_url(live_demo_site + article_hrefs[0])
    expect(page.locator("h1")).to_be_visible()
    check_page(page, "article", artifacts)

    problems.assert_none("home → learn → article")


def test_editor_signs_in_and_opens_the_page_editor_without_csp_refusals(page, live_demo_site):
    """Wagtail's admin runs under its own narrower policy: nothing it needs may be refused."""
    get_user_model().objects.create_superuser("editor", "editor@brightside.example", "correct horse 42")
    problems = BrowserProblems(page)

    page.goto(live_demo_site + "/admin/login/")
    page.fill("input[name='username']", "editor")
    page.fill("input[name='password']", "correct horse 42")
    page.locator("button[type='submit']").click()
    expect(page).to_have_url(live_demo_site + "/admin/")

    from wagtail.models import Site

    home = Site.objects.get(is_default_site=True).root_page
    page.goto(f"{live_demo_site}/admin/pages/{home.pk}/edit/")
    expect(page.locator("form#page-edit-form")).to_be_visible()
    # The scheduling dialog's date-time pickers are initialised by inline scripts.
    page.goto(f"{live_demo_site}/admin/pages/{home.pk}/")
    expect(page.locator("main")).to_be_visible()

    problems.assert_none("admin sign-in and page editor")
