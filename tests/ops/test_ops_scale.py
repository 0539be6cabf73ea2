"""Two app servers, one PostgreSQL and one Redis: any server can finish what another started.

Each server is its own gunicorn process on its own port (tests/ops_services.py),
as two machines behind a load balancer would be. Run alone with `make scale-check`.
"""

import pytest

from tests.ops_services import ADMIN, cookie_header, manage, order_status, paid_event, post_form, start_checkout

pytestmark = [pytest.mark.postgres, pytest.mark.redis]

ARTICLE_PATH = "/learn/what-a-cms-does/"


@pytest.fixture(scope="module")
def two_servers(ops_stack):
    first = ops_stack.app()
    try:
        second = ops_stack.app()
        try:
            yield first, second
        finally:
            second.stop()
    finally:
        first.stop()


def admin_session(server):
    login = post_form(server, "/admin/login/", ADMIN)
    assert login.status == 302, login.status
    return {**login.cookies}


def test_checkout_started_on_one_server_is_completed_by_a_webhook_on_the_other(ops_stack, two_servers):
    first, second = two_servers
    session_id = start_checkout(first)
    assert order_status(ops_stack, session_id) == "pending"
    payload, headers = paid_event(ops_stack, session_id)
    assert second.post("/stripe/webhook/", payload, **headers).status == 200
    assert order_status(ops_stack, session_id) == "paid"
    thanks = first.get(f"/checkout/return/?session_id={session_id}")
    assert thanks.status == 200
    # Without the buyer's checkout cookie the page names nobody, but says the payment arrived.
    assert "Payment received" in thanks.body


def test_a_staff_login_on_one_server_is_valid_on_the_other(ops_stack, two_servers):
    first, second = two_servers
    cookies = admin_session(first)
    assert "sessionid" in cookies
    dashboard = second.get("/admin/", Cookie=cookie_header(cookies))
    assert dashboard.status == 200
    assert "Dashboard" in dashboard.body


def test_a_page_published_through_one_server_is_served_fresh_by_the_other(ops_stack, two_servers):
    first, second = two_servers
    before = second.get(ARTICLE_PATH)
    assert before.status == 200
    assert "Rewritten on server A" not in before.body
    assert second.get(ARTICLE_PATH).headers["X-Cache"] == "hit"  # B now serves it from the shared cache

    # An editor saves a draft, then publishes it in the admin of the first server.
    (page_id,) = ops_stack.postgres.query("SELECT id FROM wagtailcore_page WHERE url_path LIKE %s", f"%{ARTICLE_PATH}")[
        0
    ]
    manage(
        ops_stack.env,
        "shell",
        "-c",
        f"from wagtail.models import Page; p = Page.objects.get(pk={page_id}).specific; "
        "p.title = 'Rewritten on server A'; p.save_revision()",
    )
    cookies = admin_session(first)
    published = post_form(first, f"/admin/bulk/wagtailcore/page/publish/?id={page_id}", {}, cookies=cookies)
    assert published.status == 302, (published.status, published.body[:300])

    after = second.get(ARTICLE_PATH)
    assert after.status == 200
    assert "Rewritten on server A" in after.body
    assert "Rewritten on server A" in first.get(ARTICLE_PATH).body
