from django.urls import path

from . import preview, proposals, views

app_name = "practices"

urlpatterns = [
    path("", views.practice_list, name="list"),
    path("kaytannot/lataa.csv", views.practice_export, {"file_format": "csv"}, name="export-csv"),
    path(
        "kaytannot/lataa.xlsx", views.practice_export, {"file_format": "xlsx"}, name="export-xlsx"
    ),
    path("esikatselu/<int:pk>/", preview.practice_preview, name="preview"),
    path("ehdota/", proposals.propose, name="propose"),
    path("ehdota/kiitos/", proposals.propose_thanks, name="propose-thanks"),
    path("kaytannot/<slug:slug>/", views.practice_detail, name="detail"),
]
