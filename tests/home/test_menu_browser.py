"""The header menu in chromium: usable at 375 px without JavaScript, current page marked, no axe violations."""

import pytest

from tests.browser_fixtures import DESKTOP, PHONE, assert_no_sideways_scroll, axe_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

MENU = ["About us", "Learn", "Offers", "Contact", "Search"]


def use_scheme(page, scheme):
    """Switch the colour scheme and wait out the site's 0.15 s colour transitions."""
    page.emulate_media(color_scheme=scheme)
    page.evaluate("Promise.all(document.getAnimations().map(animation => animation.finished))")


def test_menu_works_on_a_phone_without_javascript(browser, live_demo_site, artifacts):
    context = browser.new_context(java_script_enabled=False, viewport=PHONE)
    page = context.new_page()
    try:
        assert page.goto(live_demo_site + "/about/").status == 200
        nav = page.get_by_role("navigation", name="Main")
        links = nav.get_by_role("link")
        assert links.all_inner_texts() == MENU
        for link in links.all():
            box = link.bounding_box()
            # On screen, not hidden behind a menu button that needs a script, and big enough to tap.
            assert box and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], link.inner_text()
            assert box["height"] >= 44, link.inner_text()
        assert nav.get_by_role("link", name="About us").get_attribute("aria-current") == "page"
        assert_no_sideways_scroll(page, "about page")
        for scheme in ("light", "dark"):
            use_scheme(page, scheme)
            page.screenshot(path=artifacts / f"menu-{scheme}-375.png")

        nav.get_by_role("link", name="Learn").click()
        page.wait_for_url("**/learn/")
        assert nav.get_by_role("link", name="Learn").get_attribute("aria-current") == "page"
        page.get_by_role("link", name="Back-end development").first.click()
        page.wait_for_url("**/learn/back-end-development/")
        assert nav.get_by_role("link", name="Learn").get_attribute("aria-current") == "true"
        page.set_viewport_size(DESKTOP)
        for scheme in ("light", "dark"):
            use_scheme(page, scheme)
            page.screenshot(path=artifacts / f"menu-{scheme}-desktop.png")
    finally:
        context.close()


def test_menu_with_the_current_page_marked_has_no_violations(scan_context, live_demo_site):
    page = scan_context.new_page()
    found = []
    for path in ("/about/", "/learn/back-end-development/"):
        assert page.goto(live_demo_site + path).status == 200
        for viewport in (PHONE, DESKTOP):
            page.set_viewport_size(viewport)
            for scheme in ("light", "dark"):
                use_scheme(page, scheme)
                found += [f"{path} {viewport['width']} px [{scheme}] {line}" for line in axe_violations(page)]
    assert not found, "\n".join(found)
