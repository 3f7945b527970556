from django.urls import path

from recupera.payments import views

app_name = "payments"

urlpatterns = [
    path("", views.import_list, name="imports"),
    path("importar/", views.import_upload, name="import_upload"),
    path("importaciones/<int:pk>/", views.import_detail, name="import_detail"),
    path("importaciones/<int:pk>/progreso/", views.import_progress, name="import_progress"),
    path("importaciones/<int:pk>/reanudar/", views.import_resume, name="import_resume"),
    path("importaciones/<int:pk>/corregir/", views.import_resubmit, name="import_resubmit"),
    path("no-identificados/", views.unidentified_list, name="unidentified"),
    path("no-identificados/<int:pk>/", views.unidentified_assign_view, name="unidentified_assign"),
    path("caja/", views.cashier, name="cashier"),
    path("caja/corte/", views.cash_cut, name="cash_cut"),
    path("recibos/<int:pk>/", views.receipt_detail, name="receipt"),
    path("recibos/<int:pk>/recibo.pdf", views.receipt_pdf, name="receipt_pdf"),
    path("nomina/exportar/", views.payroll_export, name="payroll_export"),
    path("movimientos/<int:pk>/reversar/", views.reversal, name="reverse"),
]
