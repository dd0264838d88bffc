"""python manage.py create_api_key --org SLUG --scopes a,b [--name N] [--expires-days D]"""

from datetime import timedelta

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from campaigns.models import ApiScope, Organization
from campaigns.services.api_keys import api_key_create
from xmkt_site.errors import ApplicationError


class Command(BaseCommand):
    help = "Create a partner API key and print it once; only its digest is stored."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--org", required=True, help="Organization slug.")
        parser.add_argument("--scopes", required=True, help=f"Comma-separated, from: {', '.join(ApiScope.values)}.")
        parser.add_argument("--name", default="API key", help="A label to recognise the key by.")
        parser.add_argument("--expires-days", type=int, default=None, help="Expire after this many days.")

    def handle(self, *args, **options) -> None:
        organization = Organization.objects.filter(slug=options["org"]).first()
        if organization is None:
            raise CommandError(f"No organization with slug {options['org']!r}.")
        scopes = [s.strip() for s in options["scopes"].split(",") if s.strip()]
        expires_at = None
        if options["expires_days"] is not None:
            if options["expires_days"] < 1:
                raise CommandError("--expires-days must be at least 1.")
            expires_at = timezone.now() + timedelta(days=options["expires_days"])
        try:
            issued = api_key_create(
                organization=organization, name=options["name"], scopes=scopes, expires_at=expires_at
            )
        except ApplicationError as exc:
            raise CommandError(exc.message) from exc
        self.stderr.write(
            f"Key {issued.api_key.prefix} for {organization.slug} with scopes {', '.join(issued.api_key.scopes)}"
            + (f", expires {issued.api_key.expires_at:%Y-%m-%d %H:%M %Z}" if expires_at else "")
            + ". It is shown only now; store it safely:"
        )
        self.stdout.write(issued.secret)
