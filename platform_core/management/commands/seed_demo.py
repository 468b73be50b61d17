from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from platform_core.models import Customer, User


class Command(BaseCommand):
    help = "Create (or refresh) the demo customer, its owner and a staff superuser. Idempotent."

    @transaction.atomic
    def handle(self, *args: object, **options: object) -> None:
        if settings.IS_PRODUCTION:
            raise CommandError("seed_demo is for local development; refusing with DJANGO_ENV=production")
        customer, _ = Customer.objects.update_or_create(
            slug="demo", defaults={"name": "Demo Company", "tier": Customer.Tier.TRIAL}
        )
        accounts: list[tuple[str, str, dict[str, object]]] = [
            (settings.DEMO_OWNER_EMAIL, settings.DEMO_OWNER_PASSWORD, {"customer": customer, "role": User.Role.OWNER}),
            (settings.DEMO_STAFF_EMAIL, settings.DEMO_STAFF_PASSWORD, {"is_staff": True, "is_superuser": True}),
        ]
        for email, password, fields in accounts:
            user, _ = User.objects.update_or_create(email=email, defaults=fields)
            user.set_password(password)
            user.save(update_fields=["password"])
        self.stdout.write(
            "Demo data ready:\n"
            f"  customer owner  {settings.DEMO_OWNER_EMAIL} / {settings.DEMO_OWNER_PASSWORD}\n"
            f"  staff (admin)   {settings.DEMO_STAFF_EMAIL} / {settings.DEMO_STAFF_PASSWORD}"
        )
