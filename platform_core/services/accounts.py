from collections.abc import Callable

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.text import slugify

from platform_core.analytics import event_record
from platform_core.exceptions import ApplicationError
from platform_core.models import Customer, User

# Other apps react to a new account without platform_core importing them (dependencies point one
# way): each registers a callable here in its AppConfig.ready(); it runs inside the registration
# transaction, so its writes and the account commit together.
account_registered_hooks: list[Callable[..., object]] = []  # each called as hook(user=user)


def _unique_customer_slug(name: str) -> str:
    base = slugify(name)[:70] or "customer"
    slug, n = base, 1
    while Customer.objects.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    return slug


@transaction.atomic
def customer_register(*, email: str, password: str, company_name: str, full_name: str = "") -> User:
    """Create a customer (tenant) and its owner in one transaction."""
    email = email.strip().lower()
    if User.objects.filter(email=email).exists():
        raise ApplicationError(
            "An account with this e-mail already exists.", code="email_taken", details={"email": ["taken"]}
        )
    try:
        validate_password(password, user=User(email=email, full_name=full_name))
    except ValidationError as exc:
        raise ValidationError({"password": exc.messages}) from exc
    customer = Customer.objects.create(name=company_name.strip(), slug=_unique_customer_slug(company_name))
    user = User.objects.create_user(
        email=email, password=password, full_name=full_name.strip(), customer=customer, role=User.Role.OWNER
    )
    for hook in account_registered_hooks:
        hook(user=user)
    event_record("user.signed_up", user=user)
    return user
