from django.urls import path

from recupera.portal import views

app_name = "portal"

urlpatterns = [
    path("", views.home, name="home"),
    path("como-funciona/", views.how_it_works, name="how_it_works"),
    path("donde-pagar/", views.where_to_pay, name="where_to_pay"),
    path("aviso-de-privacidad/", views.privacy_notice, name="privacy_notice"),
    path("entrar/", views.signin, name="signin"),
    path("entrar/codigo/", views.code, name="code"),
    path("salir/", views.signout, name="signout"),
    path("cuenta/", views.account, name="account"),
    path("cuenta/<str:folio>/", views.credit, name="credit"),
    path("cuenta/<str:folio>/estado-de-cuenta.pdf", views.statement_pdf, name="statement"),
    path("cuenta/<str:folio>/ficha-de-pago.pdf", views.slip_pdf, name="slip"),
    path("cuenta/<str:folio>/convenio/", views.simulator, name="simulator"),
    path("cuenta/<str:folio>/llamenme/", views.callback, name="callback"),
    path("cuenta/<str:folio>/preguntas/", views.questions, name="questions"),
]

