from django.urls import path

from showroom.sales.deals import views
from showroom.sales.losses import views as loss_views

app_name = "deals"

urlpatterns = [
    path("", views.orders, name="orders"),
    path("customer/<int:pk>/", views.customer, name="customer"),
    path("test-drives/new/", views.test_drive_new, name="test_drive_new"),
    path("quotes/new/", views.quote_new, name="quote_new"),
    path("orders/new/", views.order_new, name="order_new"),
    path("orders/<int:pk>/", views.order_detail, name="order_detail"),
    path("orders/<int:pk>/edit/", views.order_edit, name="order_edit"),
    path("orders/<int:pk>/history/", views.order_history, name="order_history"),
    path("orders/<int:pk>/deliver/", views.deliver, name="deliver"),
    path("orders/<int:pk>/cancel/", views.order_cancel, name="order_cancel"),
    path("orders/<int:pk>/restore/", views.order_restore, name="order_restore"),
    path("aftercare/", views.aftercare, name="aftercare"),
    path("aftercare/<int:pk>/<slug:kind>/done/", views.aftercare_done, name="aftercare_done"),
    path("losses/", loss_views.losses, name="losses"),
    path("losses/new/", loss_views.loss_request, name="loss_request"),
    path("losses/pending/", loss_views.losses_pending, name="losses_pending"),
    path("losses/<int:pk>/", loss_views.loss_detail, name="loss_detail"),
    path("losses/<int:pk>/confirm/", loss_views.loss_confirm, name="loss_confirm"),
    path("losses/<int:pk>/return/", loss_views.loss_return, name="loss_return"),
    path("losses/<int:pk>/reopen/", loss_views.loss_reopen, name="loss_reopen"),
]
