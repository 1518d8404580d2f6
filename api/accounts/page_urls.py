from django.urls import path

from api.accounts import pages

urlpatterns = [
    path("verify-email/", pages.verify_email_page, name="verify-email-page"),
    path("reset-password/", pages.reset_password_page, name="reset-password-page"),
    path("forgot-password/", pages.forgot_password_page, name="forgot-password-page"),
]
