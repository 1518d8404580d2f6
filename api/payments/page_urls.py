from django.urls import path

from api.payments import pages

urlpatterns = [
    path("sandbox/<uuid:payment_id>/", pages.sandbox_page, name="sandbox-page"),
]
