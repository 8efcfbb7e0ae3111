from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from showroom.organization.context_processors import nav_items


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Each role lands on its own first piece of work."""
    items = nav_items(request.user)  # type: ignore[arg-type]
    return redirect(items[0].url if items else "password_change")
