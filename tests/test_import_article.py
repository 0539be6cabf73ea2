"""Importing explainers written elsewhere (Markdown or plain text) as articles."""

import textwrap

import pytest

from learn.importer import MAX_BYTES, Code, Heading, ImportRefused, KeyPoints, Quote, RichText, parse_article


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
        with pytest.raises(ImportRefused, match="over 1 MB"):
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
