"""Importing an explainer with tables, an author and topics; the report names what was left out."""

import io
import re
import textwrap

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from taggit.models import Tag
from wagtail.models import Page

from home import demo as home_demo
from learn.importer import Table, parse_article
from learn.models import ArticlePage
from tests.factories import ArticlePageFactory, LearnIndexPageFactory


def sample(text: str) -> bytes:
    return textwrap.dedent(text).lstrip("\n").encode()


PRICES = sample(
    """
    # What hosting costs

    Hosting is the rent for your site's home on the internet.

    ## Prices

    Table: Hosting plans by monthly price

    | Plan | Price a month | Good for |
    |------|--------------:|----------|
    | Shared | 5 € | a **brochure** site |
    | Virtual server | 20 € | a shop, see [the guide](https://example.com/guide) |
    | Dedicated | 120 € | |

    Prices include VAT.
    """
)

LEFT_OUT = sample(
    """
    # Choosing a host

    Three things matter.

    ![A server rack](rack.jpg)

    - A list with a table inside:

      | a | b |
      |---|---|
      | 1 | 2 |

    <div class="promo">Call us</div>

    | Without | Caption |
    |---------|---------|
    | x       | y       |
    """
)


@pytest.fixture
def learn_index(db):
    site = home_demo.load()
    return LearnIndexPageFactory(parent=site.root_page)


@pytest.fixture
def write_file(tmp_path):
    def write(data: bytes, name="explainer.md"):
        path = tmp_path / name
        path.write_bytes(data)
        return str(path)

    return write


def run_import(path, *args):
    out = io.StringIO()
    call_command("import_article", path, *args, stdout=out)
    return out.getvalue()


def latest(page):
    return ArticlePage.objects.get(pk=page.pk).get_latest_revision_as_object()


def tables_of(page):
    return [block.value for block in page.body if block.block_type == "table"]


def test_a_markdown_table_is_read_with_its_headings_cells_and_caption():
    article = parse_article(PRICES)
    table = next(block for block in article.body if isinstance(block, Table))
    assert table.caption == "Hosting plans by monthly price"
    assert table.headings == ("Plan", "Price a month", "Good for")
    assert table.rows[0] == ("Shared", "5 €", "a <b>brochure</b> site")
    assert table.rows[1][2] == 'a shop, see <a href="https://example.com/guide">the guide</a>'
    assert table.rows[2] == ("Dedicated", "120 €", "")
    # The caption line is the table's, not a paragraph of its own.
    assert "Table:" not in "".join(getattr(block, "html", "") for block in article.body)
    assert not article.notes


def test_import_makes_a_table_block_with_author_and_topics(learn_index, write_file, admin_client):
    Tag.objects.create(name="Hosting", slug="hosting")
    output = run_import(write_file(PRICES), "--author", "Mara Lindqvist", "--topic", "hosting", "--topic", "Costs")

    page = latest(ArticlePage.objects.get())
    assert page.author == "Mara Lindqvist"
    # An existing topic is reused whatever its case; a new one is created.
    assert sorted(topic.name for topic in page.topics.all()) == ["Costs", "Hosting"]
    assert Tag.objects.filter(name__iexact="hosting").count() == 1
    [table] = tables_of(page)
    assert table.caption == "Hosting plans by monthly price"
    assert [column["heading"] for column in table.columns] == ["Plan", "Price a month", "Good for"]
    assert [[str(cell.value) for cell in row] for row in table.rows][0][2] == "<p>a <b>brochure</b> site</p>"
    page.body.stream_block.clean(page.body)  # what the editor checks before saving
    assert admin_client.get(reverse("wagtailadmin_pages:edit", args=[page.pk])).status_code == 200
    assert "“What hosting costs” (by Mara Lindqvist; topics: Costs, Hosting) under “Learn”" in output
    assert "0 key points, 1 section (Prices), 1 table." in output


def test_visitors_see_the_table_with_caption_and_column_headers(learn_index, write_file, client):
    run_import(write_file(PRICES), "--publish", "--author", "Mara Lindqvist", "--topic", "Hosting")
    html = client.get("/learn/what-hosting-costs/").content.decode()
    assert '<div class="table-block" role="region" tabindex="0" aria-label="Hosting plans by monthly price">' in html
    assert '<caption><span class="table-block__caption">Hosting plans by monthly price</span></caption>' in html
    assert re.findall(r'<th scope="col">([^<]+)</th>', html) == ["Plan", "Price a month", "Good for"]
    assert "<td><p>a <b>brochure</b> site</p></td>" in html
    assert "Mara Lindqvist" in html and "Hosting" in html


def test_the_report_lists_what_was_left_out(learn_index, write_file):
    output = run_import(write_file(LEFT_OUT))
    notes = output.split("Check in the editor", 1)[1]
    assert "Left out the image 'A server rack'" in notes
    assert "Left out a table inside a list or quote" in notes
    assert "The file contains HTML (<div>)" in notes
    assert "The table with the columns Without, Caption has no caption" in notes
    assert len(tables_of(latest(ArticlePage.objects.get()))) == 1


def test_update_keeps_author_and_topics_unless_new_ones_are_given(learn_index, write_file):
    existing = ArticlePageFactory(parent=learn_index, title="What hosting costs", author="Ada Example")
    existing.topics.add("Servers")
    existing.save_revision().publish()

    run_import(write_file(PRICES), "--update")
    page = latest(existing)
    assert page.author == "Ada Example"
    assert [topic.name for topic in page.topics.all()] == ["Servers"]

    run_import(write_file(PRICES), "--update", "--author", "Mara Lindqvist", "--topic", "Hosting, Costs")
    page = latest(existing)
    assert page.author == "Mara Lindqvist"
    assert sorted(topic.name for topic in page.topics.all()) == ["Costs", "Hosting"]
    # The live article keeps its author until the new version is published.
    assert ArticlePage.objects.get(pk=existing.pk).author == "Ada Example"


def test_the_admin_form_sets_author_and_topics_and_warns_about_what_was_left_out(learn_index, admin_client):
    response = admin_client.post(
        "/admin/learn/import/",
        {
            "file": SimpleUploadedFile("host.md", PRICES + b"\n![Diagram](d.png)\n", content_type="text/markdown"),
            "parent": learn_index.pk,
            "author": "Mara Lindqvist",
            "topics": "Hosting, Costs",
        },
        follow=True,
    )
    page = latest(ArticlePage.objects.get())
    assert (page.author, sorted(t.name for t in page.topics.all())) == ("Mara Lindqvist", ["Costs", "Hosting"])
    assert len(tables_of(page)) == 1
    shown = response.content.decode()
    assert "by Mara Lindqvist; topics: Costs, Hosting" in shown
    assert "Left out the image" in shown


def test_an_author_name_too_long_is_refused_and_nothing_is_created(learn_index, write_file):
    from django.core.management import CommandError

    with pytest.raises(CommandError, match="author"):
        run_import(write_file(PRICES), "--author", "x" * 200)
    assert not ArticlePage.objects.exists()
    assert Page.objects.filter(slug="what-hosting-costs").count() == 0


def test_a_caption_line_between_two_tables_names_only_one_of_them():
    article = parse_article(
        sample(
            """
            # Two tables

            Intro.

            | a | b |
            |---|---|
            | 1 | 2 |

            Table: The first table

            | c | d |
            |---|---|
            | 3 | 4 |

            Table: The second table
            """
        )
    )
    assert [block.caption for block in article.body if isinstance(block, Table)] == [
        "The first table",
        "The second table",
    ]
    assert not [block for block in article.body if not isinstance(block, Table)]
