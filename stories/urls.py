from django.urls import path

from stories import downloads, feeds, views

app_name = "stories"
urlpatterns = [
    path("", views.StoryListView.as_view(), name="list"),
    path("assistance.csv", downloads.assistance_csv, name="assistance_csv"),
    path("assistance.json", downloads.assistance_json, name="assistance_json"),
    path("feed/rss/", feeds.LatestStoriesRssFeed(), name="feed_rss"),
    path("feed/atom/", feeds.LatestStoriesAtomFeed(), name="feed_atom"),
    path("<slug:slug>/qr.png", views.story_qr, name="qr"),
    path("<slug:slug>/", views.StoryDetailView.as_view(), name="detail"),
]
