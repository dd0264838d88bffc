"""The recommendation preview: the list a consumer would be served, with the consent in force and their history."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from campaigns.models import Consumer
from campaigns.services.audit import audit_record
from recommender.selectors.models import (
    consumer_history,
    preview_consent,
)
from recommender.services.scheduling import training_targets_for
from xmkt_site.errors import ApplicationError
from xmkt_site.pages.access import role_required
from xmkt_site.roles import Capability


@role_required(Capability.READ_MODELS)
def recommendation_preview_view(request: HttpRequest) -> HttpResponse:
    from recommender.services.serving import recommendations_serve

    organization = request.actor.organization
    consumer_ref = request.GET.get("consumer", "").strip()
    catalogs = training_targets_for(organization=organization)
    catalog_slug = request.GET.get("catalog") or organization.slug
    context = {"consumer_ref": consumer_ref, "catalogs": catalogs, "catalog_slug": catalog_slug}
    if consumer_ref:
        consumer = Consumer.objects.filter(organization=organization, external_ref=consumer_ref).first()
        if consumer is None:
            context["error"] = _("No consumer with this reference.")
        else:
            try:
                # The same list the API would serve, not recorded: a preview is no serve (no feedback, no statistics).
                context["served"] = recommendations_serve(
                    actor=request.actor,
                    consumer_ref=consumer_ref,
                    catalog_slug=catalog_slug,
                    k=10,
                    record_served_list=False,
                )
            except ApplicationError as exc:
                context["error"] = exc.message
                context["error_code"] = exc.code
            context["history"] = consumer_history(consumer=consumer)
            context["consumer"] = consumer
            context["consent"] = preview_consent(
                consumer=consumer, catalog=next((c for c in catalogs if c.slug == catalog_slug), None)
            )
            audit_record(
                action="recommendations.preview",
                user=request.user,
                organization=organization,
                target=consumer,
                metadata={"catalog": catalog_slug, "events": len(context["history"])},
                ip_address=request.META.get("REMOTE_ADDR"),
            )
    return render(request, "recommender/preview/preview.html", context)
