"""The REST API (OpenAPI at /api/docs), authenticated by the staff's login session."""

from ninja import NinjaAPI
from ninja.security import django_auth

from showroom.kpi.api import router as kpi_router
from showroom.traffic.api import router as leads_router

api = NinjaAPI(title="Showroom", version="1", auth=django_auth, urls_namespace="api")
api.add_router("/kpi", kpi_router)
api.add_router("/leads", leads_router)
