"""An imported table in chromium: at 375 px it scrolls inside its own box, the page never sideways; no axe violations."""

import textwrap

import pytest

from tests.browser_fixtures import DESKTOP, PHONE, assert_no_sideways_scroll, axe_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

WIDE_TABLE = textwrap.dedent(
    """
    # Hosting compared

    Six kinds of hosting side by side.

    ## The comparison

    | Kind | Price a month | Speed | Who updates the server | Good for | Backups |
    |------|---------------|-------|------------------------|----------|---------|
    | Shared hosting | 5 € | fine for small sites | the host | a brochure site | weekly, by the host |
    | A virtual server | 20 € | fast | you or your agency | a shop | whatever you set up |
    | A managed platform | 40 € | fast | the platform | a busy site | daily, kept a month |

    Table: Kinds of hosting by price, speed and care
    """
).encode()


@pytest.fixture
def table_article(live_demo_site):
    from learn.article_import import import_article

    result = import_article(WIDE_TABLE, publish=True, author="Mara Lindqvist", topics=["Hosting"])
    return live_demo_site + result.page.url


def use_scheme(page, scheme):
    page.emulate_media(color_scheme=scheme)
    page.evaluate("Promise.all(document.getAnimations().map(animation => animation.finished))")


def test_a_wide_table_scrolls_in_its_box_on_a_phone_and_has_no_violations(scan_context, table_article, artifacts):
    page = scan_context.new_page()
    page.set_viewport_size(PHONE)
    assert page.goto(table_article).status == 200
    box = page.get_by_role("region", name="Kinds of hosting by price, speed and care")
    assert box.get_by_role("columnheader").all_inner_texts()[:2] == ["Kind", "Price a month"]

    assert_no_sideways_scroll(page, "article with a wide table")
    sizes = box.evaluate("element => [element.scrollWidth, element.clientWidth]")
    assert sizes[0] > sizes[1], f"the table fits ({sizes}): the test needs a wider one"
    # Keyboard users scroll it too: the box takes focus and arrow keys move it.
    box.focus()
    page.keyboard.press("ArrowRight")
    page.wait_for_function("element => element.scrollLeft > 0", arg=box.element_handle())
    # The caption stays in view while the table scrolls under it.
    box.evaluate("element => { element.scrollLeft = element.scrollWidth; }")
    caption = page.locator(".table-block__caption").bounding_box()
    region = box.bounding_box()
    assert region["x"] <= caption["x"] and caption["x"] + caption["width"] <= region["x"] + region["width"] + 1
    box.screenshot(path=artifacts / "table-light-375-scrolled.png")
    box.evaluate("element => { element.scrollLeft = 0; }")

    found = []
    box.scroll_into_view_if_needed()
    for viewport, label in ((PHONE, "375"), (DESKTOP, "desktop")):
        page.set_viewport_size(viewport)
        for scheme in ("light", "dark"):
            use_scheme(page, scheme)
            box.screenshot(path=artifacts / f"table-{scheme}-{label}.png")
            found += [f"{label} [{scheme}] {line}" for line in axe_violations(page)]
    assert not found, "\n".join(found)
