from django.urls import path

from recupera.credits import views
from recupera.credits.import_urls import urlpatterns as import_urlpatterns

app_name = "credits"

urlpatterns = [
    path("", views.credit_list, name="list"),
]
# The portfolio import pages ("importar/…") go before the folio catch-all.
urlpatterns += import_urlpatterns
urlpatterns += [
    path("<str:folio>/", views.credit_detail, name="detail"),
    path("<str:folio>/estado-de-cuenta.pdf", views.statement_pdf, name="statement_pdf"),
]
