"""Visitor and editor journeys in Debian's chromium, against a live server with the demo content.

Every page is checked for what a unit test cannot see: the browser refusing a
script or style under the Content-Security-Policy, JavaScript errors, and
sideways scrolling on a 375 px phone. Screenshots land in test-artifacts/.
"""

import re
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import expect

# The live server runs in another thread, so data must be committed; the
# serialized rollback restores what migrations created (Wagtail's root page).
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

AXE_JS = Path(__file__).resolve().parent.parent / "node_modules" / "axe-core" / "axe.min.js"
WCAG_22_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
PHONE = {"width": 375, "height": 812}
DESKTOP = {"width": 1280, "height": 900}


class BrowserProblems:
    """Console errors (CSP refusals show up there) and uncaught exceptions of one page."""

    def __init__(self, page):
        self.messages = []
        page.on(
            "console",
            lambda message: message.type == "error" and self.messages.append(f"{page.url}: {message.text}"),
        )
        page.on("pageerror", lambda error: self.messages.append(f"uncaught: {error}"))

    def assert_none(self, where):
        assert not self.messages, f"{where}: {self.messages}"


def assert_no_sideways_scroll(page, where):
    widths = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert widths[0] <= widths[1], f"{where} scrolls sideways at {widths[1]} px: content is {widths[0]} px wide"


def check_page(page, name, artifacts):
    """Desktop and phone screenshots of the current page, and no sideways scroll on the phone."""
    page.set_viewport_size(DESKTOP)
    page.screenshot(path=artifacts / f"{name}-desktop.png", full_page=True)
    page.set_viewport_size(PHONE)
    assert_no_sideways_scroll(page, name)
    page.screenshot(path=artifacts / f"{name}-375.png", full_page=True)
    page.set_viewport_size(DESKTOP)


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


def test_home_page_has_no_wcag_22_aa_violations(new_context, live_demo_site):
    # Playwright injects axe-core as an inline script, which the site's CSP
    # rightly refuses; this context alone bypasses CSP to host the scanner.
    page = new_context(bypass_csp=True).new_page()
    page.goto(live_demo_site + "/")
    page.add_script_tag(path=str(AXE_JS))
    results = page.evaluate("tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG_22_AA)
    violations = [
        f"{v['id']} ({v['impact']}): {v['help']} at {[node['target'] for node in v['nodes']]}"
        for v in results["violations"]
    ]
    assert violations == []


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
