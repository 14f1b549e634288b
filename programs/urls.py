from django.urls import path

from programs import views

app_name = "programs"
urlpatterns = [
    path("programs/", views.ProgramListView.as_view(), name="list"),
    path("programs/<slug:slug>/", views.ProgramDetailView.as_view(), name="detail"),
    path("regions/", views.RegionListView.as_view(), name="region_list"),
    # Slugs of regions without an official code contain Chinese (450803-桥圩镇).
    path("regions/<str:slug>/", views.RegionDetailView.as_view(), name="region_detail"),
]
