from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView

from langportal import health

handler400 = "langportal.api.errors.json_bad_request"
handler403 = "langportal.api.errors.json_forbidden"
handler404 = "langportal.api.errors.json_not_found"
handler500 = "langportal.api.errors.json_server_error"

urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="docs"),
    path("api/redoc/", SpectacularRedocView.as_view(url_name="schema"), name="redoc"),
    path("api/", include("vocabulary.urls")),
    path("api/", include("lrs.urls")),
    path("api/", include("ai_hints.urls")),
    path("xapi/", include("xapi.urls")),
    path("admin/", admin.site.urls),
]
