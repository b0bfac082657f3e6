from django.urls import path

from . import views

app_name = "directory"

urlpatterns = [
    path("organisaatiot/", views.organisation_list, name="organisation-list"),
    path("organisaatiot/<slug:slug>/", views.organisation_detail, name="organisation-detail"),
    path("alueet/", views.area_list, name="area-list"),
    path("hyvinvointialueet/<slug:slug>/", views.county_detail, name="county-detail"),
    path("maakunnat/<slug:slug>/", views.region_detail, name="region-detail"),
    path("kokonaisuudet/", views.collection_list, name="collection-list"),
    path("kokonaisuudet/<slug:slug>/", views.collection_detail, name="collection-detail"),
    path("tilastot/", views.statistics_page, name="statistics"),
]
