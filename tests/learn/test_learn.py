"""The learn hub: article outline, related reading, feed, structured data and demo content."""

import json
import re
import xml.etree.ElementTree as ET

import pytest
import wagtail_factories
from django.core.management import call_command
from django.test import RequestFactory
from wagtail.blocks.struct_block import StructBlockValidationError
from wagtail.models import Page, PageLogEntry
from wagtail.test.utils import WagtailPageTestCase
from wagtail.test.utils.form_data import nested_form_data, rich_text, streamfield

from home import demo as home_demo
from learn.blocks import CalloutBlock, HeadingBlock, ImageBlock, KeyPointsBlock
from learn.models import ArticlePage, LearnIndexPage
from learn.toc import reading_minutes
from tests.factories import ArticlePageFactory, LearnIndexPageFactory, article_body

ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture
def learn_index(db):
    site = home_demo.load()
    return LearnIndexPageFactory(parent=site.root_page)


@pytest.fixture
def demo_site(db):
    call_command("load_demo_content", verbosity=0)


def get_index_context(index, query=""):
    request = RequestFactory().get(f"/learn/{query}")
    return index.get_context(request)


# The outline: table of contents and anchors


def test_table_of_contents_lists_headings_with_their_numbered_key_points(learn_index):
    article = ArticlePageFactory(parent=learn_index, body=article_body(key_points=("Speed", "Clarity")))

    entries = article.outline.entries

    assert [entry.title for entry in entries] == ["What it is", "Key points"]
    assert [(point.number, point.title, point.anchor) for point in entries[1].children] == [
        (1, "Speed", "speed"),
        (2, "Clarity", "clarity"),
    ]


def test_repeated_titles_get_distinct_anchors_so_every_link_lands_somewhere(learn_index):
    body = article_body(headings=("Costs", "Costs", "Contents"), key_points=("Costs", "Costs"))
    article = ArticlePageFactory(parent=learn_index, body=body)

    anchors = article.outline.anchor_ids

    assert anchors == ["costs", "costs-2", "contents-2", "key-points", "costs-3", "costs-4"]
    assert len(set(anchors)) == len(anchors)


def test_key_points_without_a_heading_appear_under_the_previous_section(learn_index):
    body = article_body(key_points=())
    body.append({"type": "key_points", "value": {"heading": "", "items": [{"title": "Backups", "body": "<p>x</p>"}]}})
    article = ArticlePageFactory(parent=learn_index, body=body)

    (entry,) = article.outline.entries

    assert entry.title == "What it is"
    assert [child.anchor for child in entry.children] == ["backups"]


def test_an_editor_chosen_anchor_is_kept(db):
    from learn.toc import build_outline

    body = ArticlePage(body=[{"type": "heading", "value": {"text": "Money matters", "anchor": "costs"}}]).body

    assert build_outline(body).anchor_ids == ["costs"]


# Reading time


@pytest.mark.parametrize(("words", "minutes"), [(0, 1), (50, 1), (220, 1), (221, 2), (1000, 5)])
def test_reading_time_rounds_up_to_whole_minutes(words, minutes):
    assert reading_minutes(words) == minutes


def test_reading_time_counts_the_words_of_the_whole_article(learn_index):
    long_paragraph = " ".join(["word"] * 900)
    body = [{"type": "paragraph", "value": f"<p>{long_paragraph}</p>"}]
    article = ArticlePageFactory(parent=learn_index, title="Short title", intro="<p>Two words</p>", body=body)

    assert article.word_count == 904
    assert article.reading_time == 5


# Related articles and previous/next


def test_related_articles_prefer_the_most_shared_topics_then_fill_with_the_newest(learn_index):
    article = ArticlePageFactory(parent=learn_index, topics=["Hosting", "Databases"])
    one_shared = ArticlePageFactory(parent=learn_index, topics=["Hosting"])
    two_shared = ArticlePageFactory(parent=learn_index, topics=["Hosting", "Databases"])
    unrelated_old = ArticlePageFactory(parent=learn_index, topics=["Design"])
    unrelated_new = ArticlePageFactory(parent=learn_index, topics=["Design"])
    unrelated_old.date = unrelated_old.date.replace(year=2020)
    unrelated_old.save()

    related = article.related_articles(limit=3)

    assert related == [two_shared, one_shared, unrelated_new]


def test_related_articles_leave_out_drafts(learn_index):
    article = ArticlePageFactory(parent=learn_index, topics=["Hosting"])
    draft = ArticlePageFactory(parent=learn_index, topics=["Hosting"], live=False)

    assert draft not in article.related_articles()


def test_previous_and_next_follow_the_publication_date(learn_index):
    first = ArticlePageFactory(parent=learn_index)
    middle = ArticlePageFactory(parent=learn_index)
    last = ArticlePageFactory(parent=learn_index)

    assert middle.sibling_articles() == (first, last)
    assert first.sibling_articles() == (None, middle)
    assert last.sibling_articles() == (middle, None)


# The index: newest first, topic filter, pagination


def test_index_lists_published_articles_newest_first(learn_index):
    older = ArticlePageFactory(parent=learn_index)
    newer = ArticlePageFactory(parent=learn_index)
    ArticlePageFactory(parent=learn_index, live=False)

    context = get_index_context(learn_index)

    assert list(context["articles"]) == [newer, older]


def test_topic_filter_shows_only_articles_with_that_topic(learn_index):
    hosting = ArticlePageFactory(parent=learn_index, topics=["Hosting"])
    ArticlePageFactory(parent=learn_index, topics=["Design"])

    context = get_index_context(learn_index, "?topic=hosting")

    assert list(context["articles"]) == [hosting]
    assert context["current_topic"].name == "Hosting"
    assert [topic.name for topic in context["topics"]] == ["Design", "Hosting"]


def test_unknown_topic_gives_an_empty_list_not_an_error(learn_index):
    ArticlePageFactory(parent=learn_index, topics=["Hosting"])

    context = get_index_context(learn_index, "?topic=no-such-topic")

    assert list(context["articles"]) == []


def test_index_splits_long_lists_into_pages(learn_index):
    articles = [ArticlePageFactory(parent=learn_index) for _ in range(LearnIndexPage.articles_per_page + 2)]

    second_page = get_index_context(learn_index, "?page=2")["articles"]
    nonsense_page = get_index_context(learn_index, "?page=banana")["articles"]

    assert list(second_page) == [articles[1], articles[0]]
    assert nonsense_page.number == 1


# Block rules editors see


def test_image_needs_alt_text_unless_marked_decorative(db):
    image = wagtail_factories.ImageFactory()
    block = ImageBlock()
    with pytest.raises(StructBlockValidationError) as error:
        block.clean(block.to_python({"image": image.pk, "alt_text": " ", "decorative": False, "caption": ""}))
    assert "alt_text" in error.value.block_errors
    assert block.clean(block.to_python({"image": image.pk, "alt_text": "", "decorative": True, "caption": ""}))


def test_warning_callout_needs_a_title():
    block = CalloutBlock()
    with pytest.raises(StructBlockValidationError) as error:
        block.clean(block.to_python({"tone": "warning", "title": "", "body": "<p>Careful.</p>"}))
    assert "title" in error.value.block_errors


def test_key_points_with_the_same_title_twice_are_refused():
    block = KeyPointsBlock()
    value = block.to_python(
        {"heading": "", "items": [{"title": "Speed", "body": "<p>a</p>"}, {"title": "speed ", "body": "<p>b</p>"}]}
    )
    with pytest.raises(StructBlockValidationError) as error:
        block.clean(value)
    assert "Points 1 and 2" in str(error.value.non_block_errors.as_data()[0].message)


def test_heading_anchor_must_be_link_safe():
    block = HeadingBlock()
    with pytest.raises(StructBlockValidationError):
        block.clean(block.to_python({"text": "Costs", "anchor": "two words"}))
    assert block.clean(block.to_python({"text": "Costs", "anchor": "costs"}))["anchor"] == "costs"


# Feed and structured data


def test_feed_lists_newest_articles_with_absolute_links_on_the_public_origin(client, learn_index, settings):
    settings.SITE_BASE_URL = "https://brightside.example"
    ArticlePageFactory(parent=learn_index, title="Older one")
    ArticlePageFactory(parent=learn_index, title="Newer one", topics=["Hosting"])
    ArticlePageFactory(parent=learn_index, title="Still a draft", live=False)

    response = client.get("/learn/feed/")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    feed = ET.fromstring(response.content)  # noqa: S314 - our own feed, produced by the test
    entries = feed.findall(f"{ATOM}entry")
    assert [entry.findtext(f"{ATOM}title") for entry in entries] == ["Newer one", "Older one"]
    assert entries[0].find(f"{ATOM}link").get("href") == "https://brightside.example/learn/newer-one/"
    assert entries[0].find(f"{ATOM}category").get("term") == "Hosting"
    assert entries[0].findtext(f"{ATOM}summary") == "What this explainer covers, in one sentence."


def test_article_structured_data_describes_the_article(learn_index, settings):
    settings.SITE_BASE_URL = "https://brightside.example"
    article = ArticlePageFactory(parent=learn_index, title="Web hosting", author="Ada Example", topics=["Hosting"])

    data = json.loads(article.structured_data_json())

    assert data["@type"] == "Article"
    assert data["headline"] == "Web hosting"
    assert data["author"] == {"@type": "Person", "name": "Ada Example"}
    assert data["datePublished"] == article.date.isoformat()
    assert data["url"] == "https://brightside.example/learn/web-hosting/"
    assert data["keywords"] == "Hosting"
    assert data["description"] == "What this explainer covers, in one sentence."


def test_structured_data_cannot_close_its_script_element(learn_index):
    article = ArticlePageFactory(parent=learn_index, title="Tags like </script><script>alert(1)</script>")

    raw = article.structured_data_json()

    assert "</script>" not in raw
    assert json.loads(raw)["headline"].startswith("Tags like </script>")


# Demo content


def test_demo_content_loads_once_and_holds_the_back_end_explainer(db):
    call_command("load_demo_content", verbosity=0)
    pages_after_first_run = Page.objects.count()
    log_entries_after_first_run = PageLogEntry.objects.count()
    call_command("load_demo_content", verbosity=0)

    assert Page.objects.count() == pages_after_first_run
    assert PageLogEntry.objects.count() == log_entries_after_first_run
    article = ArticlePage.objects.get(slug="back-end-development")
    assert article.live and article.live_revision is not None
    assert article.url == "/learn/back-end-development/"
    (key_points,) = [block for block in article.body if block.block_type == "key_points"]
    titles = [item["title"] for item in key_points.value["items"]]
    assert len(titles) == 11
    assert titles[0] == "Server-side languages"
    assert titles[-1] == "Version control and collaboration"
    assert "databases" in " ".join(str(item["body"]) for item in key_points.value["items"])
    assert ArticlePage.objects.live().count() >= 3
    assert len(article.related_articles()) == 3


# Editors


class ArticleEditingTests(WagtailPageTestCase):
    def setUp(self):
        self.site = home_demo.load()
        self.index = LearnIndexPageFactory(parent=self.site.root_page)
        self.login()

    def test_articles_live_only_in_the_learn_index(self):
        self.assertAllowedParentPageTypes(ArticlePage, {LearnIndexPage})
        self.assertAllowedSubpageTypes(LearnIndexPage, {ArticlePage})

    def test_editor_can_create_an_article_with_key_points(self):
        self.assertCanCreate(
            self.index,
            ArticlePage,
            nested_form_data(
                {
                    "title": "What a domain is",
                    "intro": rich_text("<p>Your address on the web.</p>"),
                    "date": "2026-11-02",
                    "author": "Ada Example",
                    "topics": "Hosting, Domains",
                    "body": streamfield(
                        [
                            ("heading", {"text": "The short answer", "anchor": ""}),
                            (
                                "key_points",
                                {
                                    "heading": "Three facts",
                                    "items": streamfield(
                                        [
                                            ("item", {"title": "You rent it", "body": rich_text("<p>Yearly.</p>")}),
                                            ("item", {"title": "It points", "body": rich_text("<p>At a host.</p>")}),
                                        ]
                                    ),
                                },
                            ),
                        ]
                    ),
                }
            ),
        )
        article = ArticlePage.objects.get(slug="what-a-domain-is")
        assert [entry.title for entry in article.outline.entries] == ["The short answer", "Three facts"]
        assert sorted(topic.name for topic in article.topics.all()) == ["Domains", "Hosting"]


def test_no_template_uses_inline_script_or_style():
    from pathlib import Path

    root = Path(__file__).resolve().parents[2] / "templates"
    paths = [*root.glob("learn/**/*.html"), *root.glob("blocks/*.html")]
    assert paths, f"no templates found under {root}"
    for path in paths:
        text = path.read_text()
        scripts = re.findall(r"<script(?![^>]*application/ld\+json)[^>]*>", text)
        assert not scripts, f"{path} has an inline script"
        assert "<style" not in text and "style=" not in text, f"{path} has inline style"


@pytest.mark.postgres
def test_search_for_databases_finds_the_back_end_explainer_through_word_stems(demo_site):
    back_end = ArticlePage.objects.get(slug="back-end-development")

    for query in ("databases", "database", "deploying"):
        results = [page.specific for page in Page.objects.live().search(query)]
        assert back_end in results, f"{query!r} did not find the back-end explainer"
