from django.urls import path

from api.tills import views

urlpatterns = [
    path("tills/", views.TillListView.as_view(), name="tills"),
    path("shifts/", views.ShiftOpenView.as_view(), name="shifts"),
    path("shifts/current/", views.ShiftCurrentView.as_view(), name="shift-current"),
    path("shifts/<int:shift_id>/close/", views.ShiftCloseView.as_view(), name="shift-close"),
    path("shifts/<int:shift_id>/report/", views.ShiftReportView.as_view(), name="shift-report"),
    path(
        "refunds/<uuid:refund_id>/pay-out/",
        views.RefundPayOutView.as_view(),
        name="refund-pay-out",
    ),
]
