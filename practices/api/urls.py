from django.urls import path, re_path

from . import views

app_name = "api"

urlpatterns = [
    path("practices/", views.PracticeListAPIView.as_view(), name="practice-list"),
    path("practices/<slug:slug>/", views.PracticeDetailAPIView.as_view(), name="practice-detail"),
    path("schema/", views.SchemaView.as_view(), name="schema"),
    # Any other address under /api/ (a slug with characters a slug cannot have, a mistyped
    # path) is answered as the API answers, in JSON.
    re_path(r"^", views.not_found, name="not-found"),
]
