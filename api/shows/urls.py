from django.urls import path

from api.shows import views

urlpatterns = [
    path("shows/", views.ShowListCreateView.as_view(), name="shows"),
    path("shows/<int:pk>/", views.ShowDetailView.as_view(), name="show"),
    path("shows/<int:pk>/on-sale/", views.ShowOnSaleView.as_view(), name="show-on-sale"),
    path("shows/<int:pk>/cancel/", views.ShowCancelView.as_view(), name="show-cancel"),
    path("shows/<int:pk>/seats/", views.ShowSeatsView.as_view(), name="show-seats"),
    path("showtimes/", views.ShowtimesView.as_view(), name="showtimes"),
    path("price-cards/", views.PriceCardListCreateView.as_view(), name="price-cards"),
    path("price-cards/<int:pk>/", views.PriceCardDetailView.as_view(), name="price-card"),
]
