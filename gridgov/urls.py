from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from apps.areas import views as area_views

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="map"), name="home"),
    path("map/", area_views.map_page, name="map"),
    path("admin/", admin.site.urls),
    path("accounts/", include("django.contrib.auth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    # Split: the page's set-up script is a separate request, so the CSP needs no inline script.
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="api-docs"),
    path("api/", include("apps.areas.urls")),
    path("api/compounds/", include("apps.compounds.urls")),
    path("", include("apps.cases.page_urls")),
    path("api/", include("apps.cases.urls")),
    path("open311/v2/", include("apps.cases.open311_urls")),
    path("", include("apps.dashboard.urls")),
    path("", include("apps.stars.urls")),
    path("api/", include("apps.patrols.urls")),
    path("", include("apps.patrols.page_urls")),
    path("", include("apps.compounds.page_urls")),
    path("", include("apps.supervision.urls")),
    path("", include("apps.bulletins.urls")),
    path("", include("apps.integrity.urls")),
]
# Media (case photos, evidence) are never served as public files, not even with
# DEBUG: each goes through a view that checks who may see it.
