"""Importing explainers written elsewhere (Markdown or plain text) as articles."""

import io
import re
import textwrap

import pytest
from django.contrib.auth.models import Group, Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse
from wagtail.rich_text import expand_db_html

from home import demo as home_demo
from learn.importer import MAX_BYTES, Code, Heading, ImportRefused, KeyPoints, Quote, RichText, parse_article
from learn.models import ArticlePage
from tests.factories import ArticlePageFactory, LearnIndexPageFactory


def sample(text: str) -> bytes:
    return textwrap.dedent(text).lstrip("\n").encode()


MARKDOWN_KEY_POINTS_BELOW = sample(
    """
    # How a website is built

    A website is a set of programs working together.
    Each one has a job.

    You don't need to know them all.

    ## The languages

    1. Server-side languages:
       PHP, Python and Ruby run on the server and build each page.

    2. Client-side languages:
       JavaScript runs in the visitor's browser.
       It makes pages react without reloading.

    3. Markup and styles:
       HTML structures the page and CSS makes it look right.

    Together they make the site you see.

    ## What to ask your agency

    - Which language do you use, and **why**?
    - Who can maintain it after you?

    Read [the MDN guide](https://developer.mozilla.org/en-US/docs/Learn) for more.
    """
)

BOLD_TITLE_KEY_POINTS = sample(
    """
    Choosing a host

    The host keeps your site online.

    1. **Speed** pages should load in under two seconds.
    2. **Backups:** daily copies, kept for a month.
    3. **Support** — a person who answers the phone.

    That's all.
    """
)

PLAIN_TEXT = b"""Why your site is slow
Most slow sites carry too many images.

Fix the images first, then look at the hosting.

Then measure again.
"""


class TestStructure:
    def test_markdown_heading_is_the_title_and_following_paragraphs_the_intro(self):
        article = parse_article(MARKDOWN_KEY_POINTS_BELOW)

        assert article.title == "How a website is built"
        assert article.intro == (
            "<p>A website is a set of programs working together. Each one has a job.</p>"
            "<p>You don't need to know them all.</p>"
        )

    def test_numbered_items_with_title_and_indented_text_become_one_key_point_each(self):
        article = parse_article(MARKDOWN_KEY_POINTS_BELOW)

        key_points = [block for block in article.body if isinstance(block, KeyPoints)]
        assert len(key_points) == 1
        assert [(item.title, item.body) for item in key_points[0].items] == [
            ("Server-side languages", "<p>PHP, Python and Ruby run on the server and build each page.</p>"),
            (
                "Client-side languages",
                "<p>JavaScript runs in the visitor's browser. It makes pages react without reloading.</p>",
            ),
            ("Markup and styles", "<p>HTML structures the page and CSS makes it look right.</p>"),
        ]
        assert article.key_point_count == 3

    def test_headings_become_sections_and_text_after_the_list_goes_on_as_body(self):
        article = parse_article(MARKDOWN_KEY_POINTS_BELOW)

        assert article.sections == ["The languages", "What to ask your agency"]
        assert [type(block) for block in article.body] == [Heading, KeyPoints, RichText, Heading, RichText]
        assert article.body[2].html == "<p>Together they make the site you see.</p>"

    def test_bullet_lists_links_and_emphasis_survive_as_rich_text(self):
        article = parse_article(MARKDOWN_KEY_POINTS_BELOW)

        assert article.body[-1].html == (
            "<ul><li>Which language do you use, and <b>why</b>?</li><li>Who can maintain it after you?</li></ul>"
            '<p>Read <a href="https://developer.mozilla.org/en-US/docs/Learn">the MDN guide</a> for more.</p>'
        )

    def test_numbered_items_starting_with_a_bold_title_become_key_points(self):
        article = parse_article(BOLD_TITLE_KEY_POINTS)

        assert article.title == "Choosing a host"
        assert article.intro == "<p>The host keeps your site online.</p>"
        (key_points,) = [block for block in article.body if isinstance(block, KeyPoints)]
        assert [(item.title, item.body) for item in key_points.items] == [
            ("Speed", "<p>pages should load in under two seconds.</p>"),
            ("Backups", "<p>daily copies, kept for a month.</p>"),
            ("Support", "<p>a person who answers the phone.</p>"),
        ]
        assert article.body[-1] == RichText("<p>That's all.</p>")

    def test_a_numbered_list_without_titles_stays_a_numbered_list(self):
        article = parse_article(sample("Steps\n\nIntro.\n\n1. Buy a domain.\n2. Pick a host.\n"))

        assert article.key_point_count == 0
        assert article.body == [RichText("<ol><li>Buy a domain.</li><li>Pick a host.</li></ol>")]

    def test_plain_text_without_markdown_imports_with_title_intro_and_body(self):
        article = parse_article(PLAIN_TEXT)

        assert article.title == "Why your site is slow"
        assert article.intro == "<p>Most slow sites carry too many images.</p>"
        assert article.body == [
            RichText("<p>Fix the images first, then look at the hosting.</p><p>Then measure again.</p>")
        ]

    def test_plain_text_numbered_titles_with_unindented_text_become_key_points(self):
        article = parse_article(
            b"Three checks\n\n1. Speed:\nPages load in two seconds.\n\n2. Clarity:\n\nOne question per page.\n\n"
            b"3. Ownership:\nYou hold the domain.\n"
        )

        (key_points,) = article.body
        assert [(item.title, item.body) for item in key_points.items] == [
            ("Speed", "<p>Pages load in two seconds.</p>"),
            ("Clarity", "<p>One question per page.</p>"),
            ("Ownership", "<p>You hold the domain.</p>"),
        ]

    def test_after_the_last_unindented_point_only_its_first_paragraph_belongs_to_it(self):
        article = parse_article(
            b"Two checks\n\n1. Speed:\nFast pages.\n\n2. Clarity:\n\nOne question.\n\nIn short: both.\n"
        )

        key_points, rest = article.body
        assert [(item.title, item.body) for item in key_points.items] == [
            ("Speed", "<p>Fast pages.</p>"),
            ("Clarity", "<p>One question.</p>"),
        ]
        assert rest == RichText("<p>In short: both.</p>")

    def test_nested_indentation_inside_key_points_keeps_nested_lists_and_paragraphs(self):
        article = parse_article(
            sample(
                """
                Hosting, explained

                1. **Shared hosting**: many sites on one server.
                   - cheap
                     - but slow at peak times

                        Fine for a brochure site.
                2. Managed hosting:
                      Someone else patches the server.
                """
            )
            + b"\tTabs work too.\n"
        )

        (key_points,) = article.body
        shared, managed = key_points.items
        assert shared.title == "Shared hosting"
        assert shared.body == (
            "<p>many sites on one server.</p>"
            "<ul><li>cheap<ul><li>but slow at peak times<br/>Fine for a brochure site.</li></ul></li></ul>"
        )
        assert managed.title == "Managed hosting"
        assert managed.body == "<p>Someone else patches the server. Tabs work too.</p>"

    def test_fenced_code_becomes_a_code_block_and_quotes_a_quote(self):
        article = parse_article(sample("Title\n\n```sql\nSELECT 1 < 2;\n```\n\n> Make it work.\n"))

        assert article.body == [Code("SELECT 1 < 2;", "sql"), Quote("<p>Make it work.</p>")]

    def test_setext_title_is_read_without_its_underline(self):
        article = parse_article(b"A title\n=======\n\nThe intro.\n")

        assert (article.title, article.intro) == ("A title", "<p>The intro.</p>")


class TestEncodings:
    def test_windows_line_endings_read_like_unix_ones(self):
        assert parse_article(MARKDOWN_KEY_POINTS_BELOW.replace(b"\n", b"\r\n")) == parse_article(
            MARKDOWN_KEY_POINTS_BELOW
        )

    def test_utf8_with_byte_order_mark_is_accepted_and_the_mark_is_not_in_the_title(self):
        article = parse_article("\ufeff# Café prices\n\nWhat a café site costs.\n".encode())

        assert article.title == "Café prices"


class TestSanitising:
    def test_raw_html_in_the_file_stays_text_and_never_becomes_markup(self):
        article = parse_article(
            sample(
                """
                # Safe <script>alert(1)</script>

                Intro <script>alert("intro")</script> and <b onclick="x()">bold</b>.

                1. **<img src=x onerror=alert(1)>** body <iframe src="https://evil.example">
                2. **Second** text

                <script>alert("body")</script>
                """
            )
        )

        assert article.title == "Safe <script>alert(1)</script>"
        assert "<script" not in article.intro
        assert '&lt;script&gt;alert("intro")&lt;/script&gt;' in article.intro
        assert '&lt;b onclick="x()"&gt;bold&lt;/b&gt;' in article.intro
        (key_points, rest) = article.body
        assert key_points.items[0].title == "<img src=x onerror=alert(1)>"
        assert "<iframe" not in key_points.items[0].body
        assert rest.html == '<p>&lt;script&gt;alert("body")&lt;/script&gt;</p>'

    @pytest.mark.parametrize(
        "link", ["javascript:alert(1)", "JAVASCRIPT:alert(1)", "data:text/html;base64,PHNjcmlwdD4=", "/relative/path"]
    )
    def test_only_web_and_email_links_become_links(self, link):
        article = parse_article(f"Title\n\nSee [this page]({link}) or [write](mailto:hi@example.com).\n".encode())

        assert article.intro == '<p>See this page or <a href="mailto:hi@example.com">write</a>.</p>'
        assert any("not the link" in note for note in article.notes)

    def test_link_addresses_are_escaped_inside_the_attribute(self):
        article = parse_article(b'Title\n\n[x](https://example.com/?a=1&b="2")\n')

        assert article.intro == '<p><a href="https://example.com/?a=1&amp;b=%22%22%222%22">x</a></p>' or (
            '"2"' not in article.intro and "&amp;b=" in article.intro
        )


class TestRefusals:
    @pytest.mark.parametrize("data", [b"", b"   \n\n\t\n", b"\xef\xbb\xbf\r\n"])
    def test_empty_file_is_refused(self, data):
        with pytest.raises(ImportRefused, match="empty"):
            parse_article(data)

    def test_binary_file_is_refused(self):
        with pytest.raises(ImportRefused, match="binary"):
            parse_article(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")

    def test_file_over_one_megabyte_is_refused(self):
        with pytest.raises(ImportRefused, match="over 32 KB"):
            parse_article(b"Title\n\n" + b"word " * (MAX_BYTES // 5 + 1))

    def test_text_that_is_not_utf8_is_refused_with_what_to_do(self):
        with pytest.raises(ImportRefused, match="isn't UTF-8.*Save it as UTF-8"):
            parse_article("Café prices\n\nA latin-1 file.\n".encode("latin-1"))

    def test_utf16_text_is_refused_with_what_to_do(self):
        with pytest.raises(ImportRefused, match="UTF-16"):
            parse_article("Title\n\nText.\n".encode("utf-16"))

    def test_first_line_too_long_for_a_title_is_refused(self):
        with pytest.raises(ImportRefused, match="too long for a title"):
            parse_article(b"word " * 80 + b"\n\nText.\n")


# Saving articles: the command and the admin form


WITH_SCRIPT = sample(
    """
    # What a CMS does

    It lets you change your site without a developer. <script>alert("intro")</script>

    1. **Pages** you edit in the browser. <script>alert("point")</script>
    2. **Images** are resized for you.

    <script>alert("body")</script>
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
    """The article as an editor sees it in the editor: its latest revision."""
    return ArticlePage.objects.get(pk=page.pk).get_latest_revision_as_object()


def richtext(html):
    return expand_db_html(html)


def key_points_of(page):
    return [
        (item["title"], item["body"].source)
        for block in page.body
        if block.block_type == "key_points"
        for item in block.value["items"]
    ]


def headings_of(page):
    return [block.value["text"] for block in page.body if block.block_type == "heading"]


class TestImportCommand:
    def test_import_creates_a_draft_under_the_learn_index_and_reports_what_it_made(self, learn_index, write_file):
        output = run_import(write_file(MARKDOWN_KEY_POINTS_BELOW))

        page = ArticlePage.objects.child_of(learn_index).get()
        assert (page.title, page.slug, page.live) == ("How a website is built", "how-a-website-is-built", False)
        article = latest(page)
        assert article.intro.startswith("<p>A website is a set of programs working together.")
        assert headings_of(article) == ["The languages", "What to ask your agency"]
        assert key_points_of(article)[0] == (
            "Server-side languages",
            "<p>PHP, Python and Ruby run on the server and build each page.</p>",
        )
        assert [title for title, _body in key_points_of(article)] == [
            "Server-side languages",
            "Client-side languages",
            "Markup and styles",
        ]
        assert "Created a draft of “How a website is built” under “Learn”" in output
        assert "3 key points, 2 sections (The languages, What to ask your agency)" in output

    def test_plain_text_file_with_windows_line_endings_and_byte_order_mark_imports(self, learn_index, write_file):
        run_import(write_file(b"\xef\xbb\xbf" + BOLD_TITLE_KEY_POINTS.replace(b"\n", b"\r\n"), "host.txt"))

        page = latest(ArticlePage.objects.get())
        assert page.title == "Choosing a host"
        assert key_points_of(page) == [
            ("Speed", "<p>pages should load in under two seconds.</p>"),
            ("Backups", "<p>daily copies, kept for a month.</p>"),
            ("Support", "<p>a person who answers the phone.</p>"),
        ]

    def test_publish_puts_the_article_online(self, learn_index, write_file):
        output = run_import(write_file(WITH_SCRIPT), "--publish")

        page = ArticlePage.objects.get()
        assert page.live and not page.has_unpublished_changes
        assert page.url == "/learn/what-a-cms-does/"
        assert "Published “What a CMS does”" in output

    def test_script_in_the_file_shows_as_text_on_the_article_never_as_markup(self, learn_index, write_file):
        run_import(write_file(WITH_SCRIPT), "--publish")

        page = ArticlePage.objects.get()
        shown = richtext(page.intro) + str(page.body)
        assert [title for title, _body in key_points_of(page)] == ["Pages", "Images"]
        assert "<script" not in shown
        for where in ("intro", "point", "body"):
            assert f'&lt;script&gt;alert("{where}")&lt;/script&gt;' in shown

    def test_the_imported_draft_passes_the_editors_own_checks_and_opens_in_the_editor(
        self, learn_index, write_file, admin_client
    ):
        run_import(
            write_file(
                MARKDOWN_KEY_POINTS_BELOW
                + sample(
                    """
                    ## ???

                    ```bash
                    ls -la
                    ```

                    > Make it work, then make it fast.

                    1. **Nested**: text
                       - one
                         - two
                    """
                )
            )
        )

        page = latest(ArticlePage.objects.get())
        page.body.stream_block.clean(page.body)
        assert [block.block_type for block in page.body][-4:] == ["heading", "code", "quote", "key_points"]
        assert page.body[-3].value["language"] == "shell"
        assert admin_client.get(reverse("wagtailadmin_pages:edit", args=[page.pk])).status_code == 200

    def test_a_visitor_sees_the_published_import_with_its_key_points_and_no_injected_script(
        self, learn_index, write_file, client
    ):
        run_import(write_file(WITH_SCRIPT), "--publish")

        response = client.get("/learn/what-a-cms-does/")

        assert response.status_code == 200
        html = response.content.decode()
        assert "<h1" in html and "What a CMS does" in html
        assert re.findall(r'<h3 class="key-point__title">(\w+) ', html) == ["Pages", "Images"]
        assert "are resized for you." in html
        assert '&lt;script&gt;alert("point")&lt;/script&gt;' in html
        assert "<script>alert" not in html

    def test_a_title_already_under_the_learn_index_is_refused_without_update(self, learn_index, write_file):
        ArticlePageFactory(parent=learn_index, title="How a website is built")

        with pytest.raises(CommandError, match="already exists under “Learn”.*--update"):
            run_import(write_file(MARKDOWN_KEY_POINTS_BELOW))
        assert ArticlePage.objects.count() == 1

    def test_update_saves_a_new_draft_revision_and_leaves_the_live_version_alone(self, learn_index, write_file):
        existing = ArticlePageFactory(parent=learn_index, title="Choosing a host", author="Ada Example")
        existing.save_revision().publish()
        revisions_before = existing.revisions.count()

        output = run_import(write_file(BOLD_TITLE_KEY_POINTS), "--update")

        assert ArticlePage.objects.count() == 1
        page = ArticlePage.objects.get(pk=existing.pk)
        assert page.revisions.count() == revisions_before + 1
        assert page.live and page.has_unpublished_changes
        assert [title for title, _body in key_points_of(page)] == ["First point", "Second point", "Third point"]
        draft = latest(page)
        assert [title for title, _body in key_points_of(draft)] == ["Speed", "Backups", "Support"]
        assert draft.author == "Ada Example"
        assert "Saved a new draft version of “Choosing a host”" in output

    def test_update_with_publish_makes_the_new_content_live(self, learn_index, write_file):
        existing = ArticlePageFactory(parent=learn_index, title="Choosing a host")

        run_import(write_file(BOLD_TITLE_KEY_POINTS), "--update", "--publish")

        page = ArticlePage.objects.get(pk=existing.pk)
        assert page.live and not page.has_unpublished_changes
        assert [title for title, _body in key_points_of(page)] == ["Speed", "Backups", "Support"]

    def test_update_without_an_existing_article_creates_one(self, learn_index, write_file):
        run_import(write_file(BOLD_TITLE_KEY_POINTS), "--update")

        assert ArticlePage.objects.get().title == "Choosing a host"

    def test_parent_is_given_as_the_site_url_path(self, learn_index, write_file):
        run_import(write_file(PLAIN_TEXT), "--parent", "/learn/")

        assert ArticlePage.objects.child_of(learn_index).count() == 1

    @pytest.mark.parametrize(
        ("parent", "message"),
        [
            ("/nowhere/", "There is no page at /nowhere/"),
            ("/", "Articles can't be added under “Brightside Web Studio”"),
        ],
    )
    def test_a_parent_that_cannot_hold_articles_is_refused(self, learn_index, write_file, parent, message):
        with pytest.raises(CommandError, match=message):
            run_import(write_file(PLAIN_TEXT), "--parent", parent)
        assert not ArticlePage.objects.exists()

    @pytest.mark.parametrize(
        ("data", "message"),
        [
            (b"", "The file is empty"),
            (b"\x89PNG\r\n\x1a\n\x00\x00", "binary file"),
            (b"Title\n\n" + b"x" * MAX_BYTES, "over 32 KB"),
            ("Café\n\nÀ bientôt.\n".encode("latin-1"), "isn't UTF-8"),
        ],
    )
    def test_bad_files_are_refused_with_a_clear_message_and_nothing_is_created(
        self, learn_index, write_file, data, message
    ):
        with pytest.raises(CommandError, match=message):
            run_import(write_file(data))
        assert not ArticlePage.objects.exists()

    def test_a_missing_file_is_refused(self, learn_index, tmp_path):
        with pytest.raises(CommandError, match="There is no file at"):
            run_import(str(tmp_path / "missing.md"))

    def test_without_a_learn_index_the_import_says_what_to_create(self, db, write_file):
        home_demo.load()

        with pytest.raises(CommandError, match="no learn index"):
            run_import(write_file(PLAIN_TEXT))


IMPORT_URL = "/admin/learn/import/"


def upload(data: bytes, name="explainer.md"):
    return SimpleUploadedFile(name, data, content_type="text/markdown")


@pytest.fixture
def editor(db, django_user_model):
    user = django_user_model.objects.create_user(username="editor", password="pw")
    user.groups.add(Group.objects.get(name="Editors"))
    return user


@pytest.fixture
def admin_only_user(db, django_user_model):
    """Can open the admin but may not add pages anywhere."""
    user = django_user_model.objects.create_user(username="viewer", password="pw")
    user.user_permissions.add(Permission.objects.get(codename="access_admin"))
    return user


class TestImportForm:
    def test_editor_uploads_a_file_and_lands_in_the_editor_of_the_new_draft(self, learn_index, editor, client):
        client.force_login(editor)

        response = client.post(IMPORT_URL, {"file": upload(MARKDOWN_KEY_POINTS_BELOW), "parent": learn_index.pk})

        page = ArticlePage.objects.get()
        assert response.status_code == 302
        assert response.url == reverse("wagtailadmin_pages:edit", args=[page.pk])
        assert not page.live and page.owner == editor
        assert page.get_latest_revision().user == editor
        assert [title for title, _body in key_points_of(latest(page))] == [
            "Server-side languages",
            "Client-side languages",
            "Markup and styles",
        ]
        editor_page = client.get(response.url)
        assert editor_page.status_code == 200
        assert "Created a draft of “How a website is built”" in editor_page.content.decode()

    def test_the_import_page_shows_the_form_and_learn_index_offers_it(self, learn_index, editor, client):
        client.force_login(editor)

        form_page = client.get(IMPORT_URL)
        explorer = client.get(reverse("wagtailadmin_explore", args=[learn_index.pk]))

        assert form_page.status_code == 200
        assert 'type="file"' in form_page.content.decode()
        assert f"{IMPORT_URL}?parent={learn_index.pk}" in explorer.content.decode()

    def test_a_refused_file_is_shown_as_a_form_error(self, learn_index, editor, client):
        client.force_login(editor)

        response = client.post(IMPORT_URL, {"file": upload(b"\x00\x01binary", "photo.md"), "parent": learn_index.pk})

        assert response.status_code == 200
        assert "This is a binary file, not text." in response.content.decode()
        assert not ArticlePage.objects.exists()

    def test_a_title_clash_asks_to_tick_replace_and_replacing_saves_a_new_revision(self, learn_index, editor, client):
        existing = ArticlePageFactory(parent=learn_index, title="Choosing a host")
        client.force_login(editor)

        refused = client.post(IMPORT_URL, {"file": upload(BOLD_TITLE_KEY_POINTS), "parent": learn_index.pk})
        replaced = client.post(
            IMPORT_URL, {"file": upload(BOLD_TITLE_KEY_POINTS), "parent": learn_index.pk, "update": "on"}
        )

        assert "Tick “Replace the article with the same title”" in refused.content.decode()
        assert replaced.status_code == 302
        assert ArticlePage.objects.get().pk == existing.pk
        assert [title for title, _body in key_points_of(latest(existing))] == ["Speed", "Backups", "Support"]

    def test_a_user_who_cannot_add_pages_is_refused(self, learn_index, admin_only_user, client):
        client.force_login(admin_only_user)

        shown = client.get(IMPORT_URL, follow=True)
        posted = client.post(IMPORT_URL, {"file": upload(PLAIN_TEXT), "parent": learn_index.pk})

        assert shown.redirect_chain == [("/admin/", 302)]
        assert "you do not have permission" in shown.content.decode()
        assert (posted.status_code, posted.url) == (302, "/admin/")
        assert not ArticlePage.objects.exists()

    def test_visitors_who_are_not_logged_in_are_sent_to_the_login_page(self, learn_index, client):
        response = client.post(IMPORT_URL, {"file": upload(PLAIN_TEXT), "parent": learn_index.pk})

        assert response.status_code == 302
        assert "/admin/login/" in response.url
        assert not ArticlePage.objects.exists()
