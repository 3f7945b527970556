from django.urls import path

from recupera.collections import views

app_name = "collections"
urlpatterns = [
    path("", views.queue, name="queue"),
    path("caso/<int:pk>/", views.case_detail, name="case"),
    path("caso/<int:pk>/gestion/", views.action_create, name="action_create"),
    path("caso/<int:pk>/verificar/", views.conduct_preview, name="conduct_preview"),
    path("caso/<int:pk>/excepcion/", views.override_create, name="override_create"),
    path("caso/<int:pk>/reasignar/", views.case_reassign, name="case_reassign"),
    path("caso/<int:pk>/etapa/", views.case_stage, name="case_stage"),
    path("caso/abrir/", views.case_open, name="case_open"),
    path("caso/<int:pk>/carta.pdf", views.case_letter, name="case_letter"),
    path("equipo/", views.team, name="team"),
    path("equipo/asignar/", views.assignment_run, name="assignment_run"),
    path("llamada/", views.inbound_call, name="inbound_call"),
    path("recados/", views.message_list, name="messages"),
    path("recados/<int:pk>/enterado/", views.message_ack, name="message_ack"),
    path("atencion/", views.inquiry_list, name="inquiries"),
    path("cartas/", views.letter_batches, name="letter_batches"),
    path("cartas/<int:pk>/", views.letter_batch, name="letter_batch"),
    path("cartas/<int:pk>/cartas.pdf", views.letter_batch_file, name="letter_batch_file"),
    path("reglas/", views.rules_page, name="rules"),
]
