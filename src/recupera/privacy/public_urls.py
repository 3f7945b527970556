from django.urls import path

from recupera.privacy import views

app_name = "privacy_public"

urlpatterns = [
    path("", views.public_form, name="arco"),
]
