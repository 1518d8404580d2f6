from django.urls import path

from api.catalog import views

urlpatterns = [
    path("titles/", views.TitleListCreateView.as_view(), name="titles"),
    path("titles/<int:pk>/", views.TitleDetailView.as_view(), name="title"),
]
