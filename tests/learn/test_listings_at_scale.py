"""Listings whose cost does not grow with the number of articles: learn index, feed, related, home."""

import re
import xml.etree.ElementTree as ET

import pytest
from django.db import connection, transaction

from home import demo as home_demo
from learn import models as learn_models
from learn.models import ArticlePage
from tests.factories import ArticlePageFactory, LearnIndexPageFactory

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"
CARD_TITLES = re.compile(r'class="article-card__title"><a href="[^"]*">([^<]*)</a>')


@pytest.fixture
def learn_index(db):
    site = home_demo.load()
    return LearnIndexPageFactory(parent=site.root_page)


def add_articles(index, count, **kwargs):
    return [ArticlePageFactory(parent=index, **kwargs) for _ in range(count)]


def cards(client, url):
    response = client.get(url)
    assert response.status_code == 200
    return CARD_TITLES.findall(response.content.decode())


def test_the_last_page_of_the_learn_index_shows_the_oldest_articles(client, learn_index):
    articles = add_articles(learn_index, 23)
    oldest_first = [article.title for article in sorted(articles, key=lambda article: (article.date, article.pk))]
    assert cards(client, "/learn/?page=3") == list(reversed(oldest_first[:3]))
    assert cards(client, "/learn/") == list(reversed(oldest_first[-10:]))


def test_any_page_of_the_learn_index_costs_the_same_queries(client, learn_index, django_assert_max_num_queries):
    add_articles(learn_index, 25)
    client.get("/learn/")  # publishing dropped what pages remember: read it once
    with django_assert_max_num_queries(12) as first:
        cards(client, "/learn/?page=1")
    with django_assert_max_num_queries(len(first.captured_queries)):
        assert len(cards(client, "/learn/?page=3")) == 5


def test_a_newly_published_article_leads_the_learn_index_at_once(client, learn_index):
    # Dated last year: the factory's dates count up from 1 January by its sequence, past today in a long run.
    for article in add_articles(learn_index, 12):
        ArticlePage.objects.filter(pk=article.pk).update(date=article.date.replace(year=2025))
    cards(client, "/learn/?page=2")
    newest = ArticlePageFactory(
        parent=learn_index, title="Fresh from the press", date=learn_models.timezone.localdate()
    )
    newest.save_revision().publish()
    assert cards(client, "/learn/?page=1")[0] == "Fresh from the press"


def test_a_topic_page_lists_only_that_topics_articles(client, learn_index):
    add_articles(learn_index, 3, topics=["Hosting"])
    add_articles(learn_index, 2, topics=["Design"])
    assert len(cards(client, "/learn/?topic=hosting")) == 3
    assert len(cards(client, "/learn/?topic=design")) == 2
    assert cards(client, "/learn/?topic=nothing") == []


def test_the_feed_reads_every_items_topics_in_one_query(client, learn_index, django_assert_max_num_queries):
    add_articles(learn_index, 1, topics=["Hosting", "Design"])
    client.get("/learn/feed/")
    with django_assert_max_num_queries(8) as few:
        client.get("/learn/feed/")
    add_articles(learn_index, 19, topics=["Hosting", "Design"])
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get("/learn/feed/")
    entries = ET.fromstring(response.content).findall(f"{ATOM}entry")  # noqa: S314 - our own feed
    assert len(entries) == 20
    assert [category.get("term") for category in entries[0].findall(f"{ATOM}category")] == ["Design", "Hosting"]


def test_related_articles_prefer_more_shared_topics_then_the_newest(learn_index):
    article = ArticlePageFactory(parent=learn_index, topics=["Hosting", "Design"])
    both = ArticlePageFactory(parent=learn_index, topics=["Hosting", "Design"], date=article.date.replace(year=2020))
    newer_one = add_articles(learn_index, 3, topics=["Hosting"])
    related = article.related_articles()
    assert related[0] == both
    assert related[1:] == sorted(newer_one, key=lambda page: (page.date, page.pk), reverse=True)[:2]


def test_related_articles_cost_the_same_queries_however_many_share_a_topic(learn_index, django_assert_max_num_queries):
    article = ArticlePageFactory(parent=learn_index, topics=["Hosting"])
    add_articles(learn_index, 2, topics=["Hosting"])
    article = ArticlePage.objects.get(pk=article.pk)
    with django_assert_max_num_queries(6) as few:  # two share a topic: topped up with the newest
        article.related_articles()
    add_articles(learn_index, 20, topics=["Hosting"])
    article = ArticlePage.objects.get(pk=article.pk)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert len(article.related_articles()) == 3


@pytest.mark.postgres
def test_newest_first_listings_read_the_article_date_index_instead_of_sorting(learn_index):
    add_articles(learn_index, 3)
    newest = ArticlePage.objects.live().public().order_by(*learn_models.NEWEST_FIRST)[:3]
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_sort = off")
        cursor.execute("SET LOCAL enable_seqscan = off")
        plan = newest.explain()
    assert "learn_article_newest" in plan
