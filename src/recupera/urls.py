from csp.constants import SELF, UNSAFE_INLINE
from csp.decorators import csp_update
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.urls import include, path
from drf_spectacular.views import (
    SpectacularAPIView,
    SpectacularRedocView,
    SpectacularSwaggerSplitView,
)

from recupera.core import views as core_views
from recupera.ops.views import salud
from recupera.people.views_dataaccess import data_view_list

SWAGGER_CSP = {"style-src": [UNSAFE_INLINE]}
REDOC_CSP = {"style-src": [UNSAFE_INLINE], "worker-src": [SELF, "blob:"]}

api_v1 = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    # The browser docs send anonymous visitors to the sign-in page (the schema answers 403).
    # Swagger's start-up script is served as a file (split view), so the Content-Security-Policy
    # needs no inline script; Swagger UI and ReDoc write their own styles, ReDoc runs a blob:
    # worker (its requests to Google Fonts and its CDN logo stay blocked: no CDN).
    path("docs/", login_required(csp_update(SWAGGER_CSP)(
        SpectacularSwaggerSplitView.as_view(url_name="api-v1:schema"))), name="docs"),
    path("redoc/", login_required(csp_update(REDOC_CSP)(
        SpectacularRedocView.as_view(url_name="api-v1:schema"))), name="redoc"),
    path("", include("recupera.people.api_urls")),
    path("", include("recupera.credits.api_urls")),
    path("", include("recupera.payments.api_urls")),
    path("", include("recupera.collections.api_urls")),
    path("", include("recupera.agreements.api_urls")),
    path("", include("recupera.goals.api_urls")),
    path("", include("recupera.privacy.api_urls")),
    path("", include("recupera.custody.api_urls")),
]

urlpatterns = [
    path("", core_views.home, name="home"),
    path("salud/", salud, name="health"),
    path("buscar/", core_views.search, name="search"),
    path("auditoria/", include(([path("", core_views.audit_list, name="list"),
                                 path("consultas/", data_view_list, name="data_views")], "audit"))),
    path("entrar/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("verificar/", core_views.otp_verify, name="otp_verify"),
    path("verificar/alta/", core_views.otp_enrol, name="otp_enrol"),
    path("salir/", auth_views.LogoutView.as_view(), name="logout"),
    path("contrasena/", core_views.PasswordChangeView.as_view(), name="password_change"),
    path("contrasena/lista/", auth_views.PasswordChangeDoneView.as_view(template_name="core/password_change_done.html"), name="password_change_done"),
    path("cuentas/roles/", core_views.role_grants, name="role_grants"),
    path("alertas/<int:pk>/atendida/", core_views.security_alert_acknowledge,
         name="security_alert_acknowledge"),
    path("personas/", include("recupera.people.urls")),
    path("creditos/", include("recupera.credits.urls")),
    path("pagos/", include("recupera.payments.urls")),
    path("cobranza/", include("recupera.collections.urls")),
    path("cierre/", include("recupera.cob.urls")),
    path("juridico/", include("recupera.legal.urls")),
    path("convenios/", include("recupera.agreements.urls")),
    path("metas/", include("recupera.goals.urls")),
    path("privacidad/", include("recupera.privacy.urls")),
    path("archivo/", include("recupera.custody.urls")),
    path("cobranza/portal/", include("recupera.portal.staff_urls")),
    path("portal/arco/", include("recupera.privacy.public_urls")),
    path("portal/", include("recupera.portal.urls")),
    path("api/v1/", include((api_v1, "api-v1"))),
    path("admin/", admin.site.urls),
]

admin.site.site_header = "Recupera · Administración"
admin.site.site_title = "Recupera"
admin.site.index_title = "Catálogos y configuración"

# The portal answers its own 404/403 pages (no staff shell); the rest as before.
handler404 = "recupera.portal.views.not_found"
handler403 = "recupera.portal.views.forbidden"
