from django.urls import path

from . import views

app_name = "api"

urlpatterns = [
    path("practices/", views.PracticeListAPIView.as_view(), name="practice-list"),
    path("practices/<slug:slug>/", views.PracticeDetailAPIView.as_view(), name="practice-detail"),
    path("schema/", views.SchemaView.as_view(), name="schema"),
]
