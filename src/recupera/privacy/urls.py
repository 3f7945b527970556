from django.urls import path

from recupera.privacy import views

app_name = "privacy"

urlpatterns = [
    path("", views.request_list, name="list"),
    path("nueva/", views.request_create, name="create"),
    path("avisos/", views.notices, name="notices"),
    path("<int:pk>/", views.request_detail, name="detail"),
    path("<int:pk>/verificar/", views.verify, name="verify"),
    path("<int:pk>/ampliar/", views.extend, name="extend"),
    path("<int:pk>/exportar/", views.generate_export, name="generate_export"),
    path("<int:pk>/exportacion.json", views.export_json, name="export_json"),
    path("<int:pk>/exportacion.pdf", views.export_pdf, name="export_pdf"),
    path("<int:pk>/rectificar/", views.rectify, name="rectify"),
    path("<int:pk>/bloquear/", views.block, name="block"),
    path("<int:pk>/oponer/", views.oppose, name="oppose"),
    path("<int:pk>/responder/", views.answer, name="answer"),
    path("<int:pk>/entregar/", views.deliver, name="deliver"),
    path("<int:pk>/respuesta.pdf", views.response_pdf, name="response_pdf"),
]
