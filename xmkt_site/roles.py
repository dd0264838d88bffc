"""Who may do what: one table from named capabilities to the roles that have them.

Every page (`role_required(Capability.X)`), API view (`allowed_roles = roles_with(Capability.X)`), navigation item and
template flag reads this table, so a permission changes in one place. Pages add `platform_only` where a partner's own
people must not open them, and API keys are governed by scopes, not by this table. tests/xmkt_site/
test_permission_matrix.py prints every route × role this table produces.
"""

from enum import StrEnum

from campaigns.models import Role


class Capability(StrEnum):
    # Every member of an organization
    MANAGE_OWN_ACCOUNT = "manage_own_account"  # organization switch, password change
    PING_API = "ping_api"
    VIEW_DASHBOARD = "view_dashboard"
    VIEW_IMPORTS = "view_imports"  # the import page's history and column templates
    IMPORT_DATA = "import_data"  # upload a CSV on the import page
    # Partners and agreements
    READ_PARTNERS = "read_partners"  # the partner list
    VIEW_PARTNER = "view_partner"  # one partner's page; a partner's own people see their own
    MANAGE_API_KEYS = "manage_api_keys"
    MANAGE_AGREEMENTS = "manage_agreements"
    INGEST_DATA = "ingest_data"  # the batch APIs for consumers, catalogue items and events
    # Campaigns
    BROWSE_CAMPAIGNS = "browse_campaigns"  # the campaign list and co-branding logos
    READ_CAMPAIGNS = "read_campaigns"  # a campaign's page and its results page
    READ_CAMPAIGNS_API = "read_campaigns_api"  # campaigns and results over the API, scoped to what the caller may see
    MANAGE_CAMPAIGNS = "manage_campaigns"  # create, edit, review, state actions, audience, variants, co-branding
    MANAGE_OFFERS = "manage_offers"  # offers, code pools, redeeming codes
    TRACK_CAMPAIGNS = "track_campaigns"  # assignment, exposures, conversions
    ANALYSE_CAMPAIGNS = "analyse_campaigns"  # audience estimates, attribution
    USE_PARTNER_PORTAL = "use_partner_portal"
    # Insights
    READ_INSIGHTS = "read_insights"  # segment and forecast pages, member exports
    READ_INSIGHTS_API = "read_insights_api"  # segments and forecasts over the API; partners get aggregates only
    RUN_OVERLAP = "run_overlap"
    # Privacy
    MANAGE_PRIVACY = "manage_privacy"  # consent, data-subject requests, audit log, assessments, personal tags
    # Jobs and recommendation models
    VIEW_JOBS = "view_jobs"
    START_JOBS = "start_jobs"  # retry a job, start the rollup or the analytics pipeline
    READ_MODELS = "read_models"  # the recommendation model registry and preview
    TRAIN_MODELS = "train_models"
    READ_RECOMMENDATIONS = "read_recommendations"  # the serving API


ADMIN, MANAGER, ANALYST, PRIVACY, PARTNER = (
    Role.ADMIN,
    Role.CAMPAIGN_MANAGER,
    Role.ANALYST,
    Role.PRIVACY_ADMIN,
    Role.PARTNER_USER,
)

ROLES_WITH: dict[Capability, frozenset[str]] = {
    Capability.MANAGE_OWN_ACCOUNT: frozenset({ADMIN, MANAGER, ANALYST, PRIVACY, PARTNER}),
    Capability.PING_API: frozenset({ADMIN, MANAGER, ANALYST, PRIVACY, PARTNER}),
    Capability.VIEW_DASHBOARD: frozenset({ADMIN, MANAGER, ANALYST, PRIVACY, PARTNER}),
    Capability.VIEW_IMPORTS: frozenset({ADMIN, MANAGER, ANALYST, PRIVACY, PARTNER}),
    Capability.IMPORT_DATA: frozenset({ADMIN, MANAGER, PARTNER}),
    Capability.READ_PARTNERS: frozenset({ADMIN, MANAGER, PRIVACY}),
    Capability.VIEW_PARTNER: frozenset({ADMIN, MANAGER, PRIVACY, PARTNER}),
    Capability.MANAGE_API_KEYS: frozenset({ADMIN, MANAGER}),
    Capability.MANAGE_AGREEMENTS: frozenset({ADMIN}),
    Capability.INGEST_DATA: frozenset({ADMIN, MANAGER}),
    Capability.BROWSE_CAMPAIGNS: frozenset({ADMIN, MANAGER, ANALYST, PARTNER}),
    Capability.READ_CAMPAIGNS: frozenset({ADMIN, MANAGER, ANALYST}),
    Capability.READ_CAMPAIGNS_API: frozenset({ADMIN, MANAGER, ANALYST, PRIVACY, PARTNER}),
    Capability.MANAGE_CAMPAIGNS: frozenset({ADMIN, MANAGER}),
    Capability.MANAGE_OFFERS: frozenset({ADMIN, MANAGER}),
    Capability.TRACK_CAMPAIGNS: frozenset({ADMIN, MANAGER}),
    Capability.ANALYSE_CAMPAIGNS: frozenset({ADMIN, MANAGER, ANALYST, PRIVACY}),
    Capability.USE_PARTNER_PORTAL: frozenset({PARTNER}),
    Capability.READ_INSIGHTS: frozenset({ADMIN, MANAGER, ANALYST}),
    Capability.READ_INSIGHTS_API: frozenset({ADMIN, MANAGER, ANALYST, PARTNER}),
    Capability.RUN_OVERLAP: frozenset({ADMIN}),
    Capability.MANAGE_PRIVACY: frozenset({ADMIN, PRIVACY}),
    Capability.VIEW_JOBS: frozenset({ADMIN, MANAGER, ANALYST, PRIVACY}),
    Capability.START_JOBS: frozenset({ADMIN, MANAGER, ANALYST}),
    Capability.READ_MODELS: frozenset({ADMIN, MANAGER, ANALYST}),
    Capability.TRAIN_MODELS: frozenset({ADMIN, MANAGER, ANALYST}),
    Capability.READ_RECOMMENDATIONS: frozenset({ADMIN, MANAGER, ANALYST, PRIVACY}),
}


def roles_with(capability: Capability) -> frozenset[str]:
    return ROLES_WITH[capability]
