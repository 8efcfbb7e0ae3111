"""The REST API (OpenAPI at /api/docs), authenticated by the staff's login session."""

from django.contrib.auth.decorators import login_required
from ninja import NinjaAPI
from ninja.security import django_auth

from showroom.kpi.api import router as kpi_router
from showroom.traffic.api import router as leads_router

# The schema and its page are for staff too: they name every field the API takes.
api = NinjaAPI(
    title="Showroom",
    version="1",
    auth=django_auth,
    urls_namespace="api",
    docs_decorator=login_required,
)
api.add_router("/kpi", kpi_router)
api.add_router("/leads", leads_router)
