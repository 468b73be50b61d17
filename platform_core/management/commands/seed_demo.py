from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import autodiscover_modules

from platform_core.demo import Demo, demo_seeders
from platform_core.models import Customer, User
from platform_core.services.sessions import user_snapshot_forget

# The demo customer signed up four weeks ago: its analytics history and time to first value fit that.
DEMO_CUSTOMER_AGE = timedelta(days=28)


def _user(email: str, password: str, fields: dict[str, Any]) -> User:
    """The login as the DEMO_* settings say; saved only when something differs (a rerun writes nothing)."""
    user, created = User.objects.get_or_create(email=email, defaults=fields)
    changed = [name for name, value in fields.items() if getattr(user, name) != value]
    for name in changed:
        setattr(user, name, fields[name])
    if created or not user.check_password(password):
        user.set_password(password)
        changed.append("password")
    if changed:
        user.save(update_fields=changed)
        user_snapshot_forget(user_id=user.pk)
    return user


class Command(BaseCommand):
    help = (
        "Create the demo customer, its owner and a staff superuser, and fill every screen of the demo "
        "customer (each app's demo_data.py). Idempotent: a second run changes nothing."
    )

    def handle(self, *args: object, **options: object) -> None:
        if settings.IS_PRODUCTION:
            raise CommandError("seed_demo is for local development; refusing with DJANGO_ENV=production")
        with transaction.atomic():
            customer, _ = Customer.objects.get_or_create(
                slug="demo",
                defaults={
                    "name": "Demo Company",
                    "tier": Customer.Tier.TRIAL,
                    "created_at": timezone.now() - DEMO_CUSTOMER_AGE,
                },
            )
            owner = _user(
                settings.DEMO_OWNER_EMAIL,
                settings.DEMO_OWNER_PASSWORD,
                {"customer": customer, "role": User.Role.OWNER, "full_name": "Dana Demo"},
            )
            if owner.email_verified_at is None:  # assessments taken with the address link to it
                owner.email_verified_at = customer.created_at
                owner.save(update_fields=["email_verified_at"])
            staff = _user(
                settings.DEMO_STAFF_EMAIL, settings.DEMO_STAFF_PASSWORD, {"is_staff": True, "is_superuser": True}
            )
        demo = Demo(customer=customer, owner=owner, staff=staff)
        autodiscover_modules("demo_data")
        for seeder in demo_seeders():
            if seeder.atomic:
                with transaction.atomic():
                    lines = seeder.seed(demo)
            else:
                lines = seeder.seed(demo)
            for line in lines:
                self.stdout.write(f"  {seeder.name:<12} {line}")
        self.stdout.write(
            "Demo data ready:\n"
            f"  customer owner  {settings.DEMO_OWNER_EMAIL} / {settings.DEMO_OWNER_PASSWORD}\n"
            f"  staff (admin)   {settings.DEMO_STAFF_EMAIL} / {settings.DEMO_STAFF_PASSWORD}"
        )
