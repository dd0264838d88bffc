from django.contrib.auth.views import LogoutView
from django.urls import path

from campaigns import views
from xmkt_site import views as site_views

urlpatterns = [
    # Sign-in and the organization switch are site-wide; they live here until xmkt_site/urls.py mounts them itself.
    path("accounts/login/", site_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", LogoutView.as_view(), name="logout"),
    path("accounts/password/change/", views.password_change_view, name="password-change"),
    path("accounts/password/change/done/", views.password_change_done_view, name="password-change-done"),
    path("organization/switch/", site_views.organization_switch, name="organization-switch"),
    path("partners/", views.partner_list_view, name="partner-list"),
    path("partners/<int:pk>/", views.partner_detail_view, name="partner-detail"),
    path("partners/<int:pk>/api-keys/new/", views.api_key_create_view, name="api-key-create"),
    path("partners/<int:pk>/api-keys/<int:key_pk>/issued/", views.api_key_issued_view, name="api-key-issued"),
    path("partners/<int:pk>/api-keys/<int:key_pk>/revoke/", views.api_key_revoke_view, name="api-key-revoke"),
    path("jobs/", views.job_list_view, name="job-list"),
    path("jobs/<int:pk>/retry/", views.job_retry_view, name="job-retry"),
]
