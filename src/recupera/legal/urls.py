from django.urls import path

from recupera.legal import views

app_name = "legal"

urlpatterns = [
    path("prescripcion/", views.prescription_alerts, name="prescription_alerts"),
]
