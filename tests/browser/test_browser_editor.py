"""Editors and staff in Wagtail's admin, in Debian's chromium: a key point from edit to live, a scheduled banner,
and an order delivered by staff then refunded by its customer (offline payments)."""

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone
from playwright.sync_api import expect

from learn.models import ArticlePage
from offers.models import Order
from tests.browser_fixtures import ARTICLE_PATH, BrowserProblems, bar_banner, buy_and_pay

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

PASSWORD = "correct horse 42"


def sign_in(page, site):
    get_user_model().objects.create_superuser("editor", "editor@brightside.example", PASSWORD)
    page.goto(site + "/admin/login/")
    page.get_by_label("Username").fill("editor")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(site + "/admin/")


def publish_from_footer(page):
    """The editor's footer: open the actions menu beside 'Save draft' and choose Publish."""
    footer = page.get_by_role("navigation", name="Actions (footer)")
    footer.locator(".w-dropdown__toggle").click()
    footer.locator("button[name='action-publish']").click()


def test_editor_adds_a_key_point_previews_publishes_and_sees_it_live(page, live_demo_site):
    sign_in(page, live_demo_site)
    problems = BrowserProblems(page)
    article = ArticlePage.objects.get(url_path__endswith=ARTICLE_PATH)
    page.goto(f"{live_demo_site}/admin/pages/{article.pk}/edit/")

    points = page.locator("[data-contentpath='items']").first
    count = int(points.locator("input[data-streamfield-list-count]").input_value())
    prefix = points.locator("input[data-streamfield-list-count]").get_attribute("name").removesuffix("-count")
    points.locator("[data-streamfield-list-add]").last.click()
    page.locator(f"input[name='{prefix}-{count}-value-title']").fill("Back up the database every night")
    body = page.locator(f"#{prefix}-{count}-value-body + .Draftail-Editor__wrapper [contenteditable='true']")
    body.click()
    page.keyboard.type("A copy you have never restored is a hope, not a backup.")

    page.get_by_role("button", name="Toggle preview").click()
    preview = page.frame_locator("#w-preview-iframe")
    expect(preview.get_by_role("heading", name="Back up the database every night")).to_be_visible(timeout=15000)
    reader = page.context.new_page()
    reader.goto(live_demo_site + ARTICLE_PATH)
    expect(reader.locator("h1")).to_be_visible()
    expect(reader.get_by_text("Back up the database every night")).to_have_count(0)  # a preview publishes nothing
    reader.close()

    publish_from_footer(page)
    expect(page.locator(".messages")).to_contain_text("published")

    page.goto(live_demo_site + ARTICLE_PATH)
    new_point = page.locator("li.key-point").filter(has_text="Back up the database every night")
    expect(new_point).to_be_visible()
    expect(new_point).to_contain_text("A copy you have never restored is a hope, not a backup.")
    expect(page.get_by_role("navigation", name="Contents")).to_contain_text("Back up the database every night")
    problems.assert_none("key point from editor to live page")


def test_editor_schedules_a_banner_for_later_and_it_is_not_live_yet(page, live_demo_site):
    banner = bar_banner("Booking for spring is open", published=False)
    sign_in(page, live_demo_site)

    page.goto(f"{live_demo_site}/admin/snippets/offers/offerbanner/edit/{banner.pk}/")
    page.get_by_role("button", name="Toggle status").click()
    page.get_by_role("button", name="Set schedule").click()
    go_live = timezone.localtime() + timedelta(days=3)
    page.locator("#id_go_live_at").fill(go_live.strftime("%Y-%m-%d %H:%M"))
    page.get_by_role("button", name="Save schedule").click()
    expect(page.locator(".messages")).to_be_visible()
    publish_from_footer(page)
    expect(page.locator(".messages")).to_contain_text("scheduled")

    banner.refresh_from_db()
    assert banner.live is False
    assert banner.scheduled_revision is not None
    page.goto(live_demo_site + "/")
    expect(page.locator("h1")).to_be_visible()
    expect(page.get_by_text("Booking for spring is open")).to_have_count(0)


def test_staff_deliver_an_order_and_the_customer_refunds_it_on_the_order_page(page, shop):
    from tests.guarantee_helpers import page_path

    order = buy_and_pay(page, shop)
    customer = page.context.browser.new_context()
    customer_page = customer.new_page()
    customer_page.goto(shop + page_path(order))
    expect(customer_page.get_by_role("button", name="I don't like it: refund me")).to_have_count(0)

    sign_in(page, shop)
    page.goto(f"{shop}/admin/order/inspect/{order.pk}/")
    page.get_by_role("link", name="Start work").click()
    page.get_by_role("button", name="Start work").click()
    page.get_by_role("link", name="Mark delivered").click()
    page.get_by_label("The demo's URL").fill("https://demo.example/ada/")
    page.get_by_role("button", name="Mark delivered and e-mail the customer").click()
    expect(page.locator("main")).to_contain_text("Delivered")

    customer_page.reload()
    expect(customer_page.get_by_role("link", name="https://demo.example/ada/")).to_be_visible()
    customer_page.get_by_role("button", name="I don't like it: refund me").click()
    customer_page.get_by_label("Why (optional, it helps us)").fill("Not the look we had in mind.")
    customer_page.get_by_role("button", name="Yes, refund me").click()
    expect(customer_page.get_by_role("status")).to_contain_text("We have your refund request.")
    customer_page.reload()
    expect(customer_page.locator("dl")).to_contain_text("Refunded")
    customer.close()

    assert Order.objects.get(pk=order.pk).status == Order.Status.REFUNDED
    page.goto(f"{shop}/admin/order/inspect/{order.pk}/")
    history = page.locator("h2:text-is('History') + table")
    for status in ("paid", "in_progress", "delivered", "refunded"):
        expect(history).to_contain_text(status)
    expect(page.locator("main")).to_contain_text("Not the look we had in mind.")


def test_a_published_banner_shows_at_once(page, live_demo_site):
    """The control for the scheduled banner: the same banner published now is on the site."""
    bar_banner("Booking for spring is open")
    page.goto(live_demo_site + "/")
    expect(page.get_by_text("Booking for spring is open")).to_be_visible()
