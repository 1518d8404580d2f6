from django.urls import path

from api.venues import views

urlpatterns = [
    path("venues/", views.VenueListCreateView.as_view(), name="venues"),
    path("venues/<int:pk>/", views.VenueDetailView.as_view(), name="venue"),
    path("seat-categories/", views.SeatCategoryListCreateView.as_view(), name="seat-categories"),
    path(
        "seat-categories/<int:pk>/",
        views.SeatCategoryDetailView.as_view(),
        name="seat-category",
    ),
    path("auditoriums/", views.AuditoriumListCreateView.as_view(), name="auditoriums"),
    path("auditoriums/<int:pk>/", views.AuditoriumDetailView.as_view(), name="auditorium"),
]
