"""Pages of the system of record: accounts, partners, jobs, campaigns with their offers, and privacy."""

from django.contrib.auth.views import LogoutView
from django.urls import path

from campaigns.pages import accounts, campaigns, jobs, offers, partners, privacy

urlpatterns = [
    path("accounts/login/", accounts.LoginView.as_view(), name="login"),
    path("accounts/logout/", LogoutView.as_view(), name="logout"),
    path("accounts/password/change/", accounts.password_change_view, name="password-change"),
    path("accounts/password/change/done/", accounts.password_change_done_view, name="password-change-done"),
    path("organization/switch/", accounts.organization_switch, name="organization-switch"),
    path("partners/", partners.partner_list_view, name="partner-list"),
    path("partners/<int:pk>/", partners.partner_detail_view, name="partner-detail"),
    path("partners/<int:pk>/api-keys/new/", partners.api_key_create_view, name="api-key-create"),
    path("partners/<int:pk>/api-keys/<int:key_pk>/issued/", partners.api_key_issued_view, name="api-key-issued"),
    path("partners/<int:pk>/api-keys/<int:key_pk>/revoke/", partners.api_key_revoke_view, name="api-key-revoke"),
    path("jobs/", jobs.job_list_view, name="job-list"),
    path("jobs/<int:pk>/retry/", jobs.job_retry_view, name="job-retry"),
    path("campaigns/", campaigns.campaign_list_view, name="campaign-list"),
    path("campaigns/new/", campaigns.campaign_create_view, name="campaign-create"),
    path("campaigns/<int:pk>/", campaigns.campaign_detail_view, name="campaign-detail"),
    path("campaigns/<int:pk>/edit/", campaigns.campaign_edit_view, name="campaign-edit"),
    path("campaigns/<int:pk>/action/<slug:action>/", campaigns.campaign_action_view, name="campaign-action"),
    path(
        "campaigns/<int:pk>/co-branding/<int:partner_id>/",
        campaigns.campaign_co_branding_view,
        name="campaign-co-branding",
    ),
    path("campaigns/<int:pk>/audience/", campaigns.campaign_audience_view, name="campaign-audience"),
    path("campaigns/<int:pk>/logo/<int:partner_id>/", campaigns.campaign_logo_view, name="campaign-logo"),
    path("campaigns/<int:pk>/offers/new/", offers.offer_create_view, name="campaign-offer-create"),
    path("campaigns/<int:pk>/offers/<int:offer_id>/edit/", offers.offer_edit_view, name="campaign-offer-edit"),
    path(
        "campaigns/<int:pk>/offers/<int:offer_id>/code-pools/new/",
        offers.code_pool_create_view,
        name="campaign-code-pool-create",
    ),
    path("campaigns/<int:pk>/code-pools/<int:pool_id>/add/", offers.code_pool_add_view, name="campaign-code-pool-add"),
    path("privacy/", privacy.privacy_home_view, name="privacy-home"),
    path("privacy/consents/", privacy.privacy_consent_lookup_view, name="privacy-consents"),
    path("privacy/requests/", privacy.privacy_request_list_view, name="privacy-requests"),
    path("privacy/requests/<int:pk>/", privacy.privacy_request_detail_view, name="privacy-request-detail"),
    path("privacy/requests/<int:pk>/export.json", privacy.privacy_request_export_view, name="privacy-request-export"),
    path("privacy/audit/", privacy.privacy_audit_log_view, name="privacy-audit-log"),
    path("privacy/assessments/", privacy.privacy_assessment_list_view, name="privacy-assessments"),
    path("privacy/assessments/<int:pk>/", privacy.privacy_assessment_detail_view, name="privacy-assessment-detail"),
    path(
        "privacy/assessments/<int:pk>/export.json",
        privacy.privacy_assessment_export_view,
        name="privacy-assessment-export",
    ),
    path("privacy/assessments/<int:pk>/print/", privacy.privacy_assessment_print_view, name="privacy-assessment-print"),
]
