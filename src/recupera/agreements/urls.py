from django.urls import path

from recupera.agreements import views

app_name = "agreements"

urlpatterns = [
    path("simular/<str:folio>/", views.simulate, name="simulate"),
    path("autorizaciones/", views.inbox, name="inbox"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/decidir/", views.decide, name="decide"),
    path("<int:pk>/documento.pdf", views.document_pdf, name="document"),
]
