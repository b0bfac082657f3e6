from django.urls import path

from . import pages, preview, proposals, views
from .feeds import LatestPracticesFeed, ThemePracticesFeed

app_name = "practices"

urlpatterns = [
    path("", pages.home, name="home"),
    path("kaytannot/", views.practice_list, name="list"),
    path("kaytannot/lataa.csv", views.practice_export, {"file_format": "csv"}, name="export-csv"),
    path(
        "kaytannot/lataa.xlsx", views.practice_export, {"file_format": "xlsx"}, name="export-xlsx"
    ),
    path("esikatselu/<int:pk>/", preview.practice_preview, name="preview"),
    path("ehdota/", proposals.propose, name="propose"),
    path("ehdota/kiitos/", proposals.propose_thanks, name="propose-thanks"),
    path("tietoa/", pages.about, name="about"),
    path("saavutettavuusseloste/", pages.accessibility, name="accessibility"),
    path("palaute/", pages.feedback, name="feedback"),
    path("palaute/kiitos/", pages.feedback_thanks, name="feedback-thanks"),
    path("kaytannot/<slug:slug>/", views.practice_detail, name="detail"),
    path("syote/", LatestPracticesFeed(), name="feed"),
    path("syote/<slug:slug>/", ThemePracticesFeed(), name="theme-feed"),
]
