from django.urls import path

from .feeds import LatestArticlesFeed

urlpatterns = [
    path("learn/feed/", LatestArticlesFeed(), name="learn_feed"),
]
