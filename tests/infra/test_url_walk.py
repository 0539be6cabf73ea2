"""Every URL the project answers, walked as a stranger.

Logged out, no public URL answers 500, whether read (GET) or sent an empty or
tampered form (POST); a signed-in user without admin rights gets no admin page;
and markup typed into editors' fields is shown as text, never run as script.
"""

import re
import uuid

import pytest
from django.core.management import call_command
from django.urls import URLPattern, URLResolver, get_resolver, resolve
from django.urls.exceptions import Resolver404
from wagtail.fields import RichTextField
from wagtail.models import Page

from home.models import AgencySettings
from offers.models import DemoPackage, OfferBanner

pytestmark = pytest.mark.django_db

SAMPLE_BY_CONVERTER = {"int": "1", "str": "x", "slug": "x", "path": "x/y", "uuid": str(uuid.uuid4())}
ROUTE_PARAMETER = re.compile(r"<(?:(?P<converter>\w+):)?\w+>")
# Admin views that must answer anyone: signing in and out, password reset, and the admin's
# translation catalogue and icon sprite (static assets, no data).
ADMIN_OPEN_TO_ALL = re.compile(r"^/admin/(login|logout|password_reset)/|^/admin/(jsi18n|sprite)/$")


def regex_sample(regex):
    """A path matching a simple URL regex: each group becomes "1" (digits) or "x", anchors and escapes go."""
    out, depth, group = [], 0, []
    for char in regex.lstrip("^").rstrip("$"):
        if char == "(":
            depth += 1
        if depth:
            group.append(char)
        else:
            out.append(char)
        if char == ")":
            depth -= 1
            if not depth:
                out.append("1" if r"\d" in "".join(group) else "x")
                group = []
    return "".join(out).replace("\\", "").replace("?", "")


def url_samples(resolver=None, prefix="/"):
    """One concrete path for every URL pattern of the project (those a simple sample resolves to)."""
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        pattern = entry.pattern
        if hasattr(pattern, "_route"):
            piece = ROUTE_PARAMETER.sub(lambda m: SAMPLE_BY_CONVERTER[m["converter"] or "str"], pattern._route)
        else:
            piece = regex_sample(pattern._regex)
        if isinstance(entry, URLResolver):
            yield from url_samples(entry, prefix + piece)
        elif isinstance(entry, URLPattern):
            path = prefix + piece
            try:
                resolve(path)
            except Resolver404:
                continue
            yield path


@pytest.fixture
def demo(db):
    call_command("load_demo_content", verbosity=0)


def public_paths():
    paths = {path for path in url_samples() if not path.startswith("/admin/")}
    paths |= {page.url for page in Page.objects.live().specific() if page.url}
    return sorted(paths)


def test_no_public_url_answers_a_server_error_to_a_stranger(client, demo):
    paths = public_paths()
    assert len(paths) > 30, paths  # the walk really covers the site
    failures = []
    for path in paths:
        for method, response in (
            ("GET", client.get(path)),
            ("POST", client.post(path, {})),
            ("POST", client.post(path, {"email": "<script>", "amount": "-1", "package": "999999"})),
        ):
            if response.status_code >= 500:
                failures.append(f"{method} {path} -> {response.status_code}")
    assert not failures


def test_no_admin_url_shows_a_page_to_a_user_without_admin_rights(client, demo, django_user_model):
    outsider = django_user_model.objects.create_user("outsider", "outsider@example.com", "pw")
    client.force_login(outsider)
    paths = sorted(path for path in url_samples() if path.startswith("/admin/"))
    assert len(paths) > 100, len(paths)
    shown = []
    for path in paths:
        response = client.get(path)
        assert response.status_code < 500, path
        if response.status_code == 200 and not ADMIN_OPEN_TO_ALL.match(path):
            shown.append(path)
    assert not shown


SCRIPT = '<script>alert("owned")</script>'
PLAIN_TEXT_FIELDS = ("title", "seo_title", "search_description", "hero_headline", "hero_text", "author")


def test_markup_typed_into_plain_fields_is_shown_as_text_on_every_public_page(client, demo):
    """Titles, descriptions, banner and package texts: Django escapes them wherever they are shown."""
    for page in Page.objects.live().specific():
        for field in PLAIN_TEXT_FIELDS:
            model_field = next((f for f in page._meta.fields if f.name == field), None)
            if model_field is not None and not isinstance(model_field, RichTextField):
                setattr(page, field, f"{getattr(page, field)} {SCRIPT}")
        page.save_revision().publish()
    DemoPackage.objects.update(name=f"Demo {SCRIPT}")
    for banner in OfferBanner.objects.all():
        banner.headline = f"Wait! {SCRIPT}"
        banner.save_revision().publish()
    AgencySettings.objects.update(name=f"Brightside {SCRIPT}")

    paths = [page.url for page in Page.objects.live().specific() if page.url]
    assert len(paths) > 5
    for path in [*paths, "/search/?query=owned", "/learn/feed/", "/sitemap.xml"]:
        html = client.get(path).content.decode()
        assert "<script>alert" not in html, path


def test_an_imported_explainer_cannot_bring_script_or_script_links(client, demo):
    """Rich text from the importer, the one way in besides Wagtail's editor (which keeps only its features)."""
    from learn.article_import import import_article

    text = (
        "# Safe import\n\nIntro with <script>alert('owned')</script> in it.\n\n"
        "1. **First** a [bad link](javascript:alert(1)) and <img src=x onerror=alert(1)>.\n"
        "2. **Second** plain text.\n"
    )
    import_article(text.encode(), publish=True)

    html = client.get("/learn/safe-import/").content.decode()
    assert "Intro with" in html
    assert "<script>alert" not in html
    assert "javascript:" not in html
    assert "<img src=x" not in html
