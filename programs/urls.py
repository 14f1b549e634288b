from django.urls import path

from programs import downloads, views

app_name = "programs"
urlpatterns = [
    path("programs/", views.ProgramListView.as_view(), name="list"),
    path("programs/<slug:slug>/", views.ProgramDetailView.as_view(), name="detail"),
    path("programs/<slug:slug>/figures.csv", downloads.figures_csv, name="figures_csv"),
    path(
        "programs/<slug:slug>/figures.json",
        downloads.figures_json,
        name="figures_json",
    ),
    path("programs/<slug:slug>/qr.png", views.program_qr, name="qr"),
    path("programs/<slug:slug>/brief/", views.ProgramBriefView.as_view(), name="brief"),
    path("regions/", views.RegionListView.as_view(), name="region_list"),
    # Slugs of regions without an official code contain Chinese (450803-桥圩镇).
    path("regions/<str:slug>/", views.RegionDetailView.as_view(), name="region_detail"),
]
