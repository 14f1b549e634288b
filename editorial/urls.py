from django.urls import path

from editorial import views

app_name = "editorial"
urlpatterns = [
    path("<str:app_label>/<str:model_name>/<int:pk>/", views.preview, name="preview"),
    path("s/<str:token>/", views.shared_preview, name="shared_preview"),
]
