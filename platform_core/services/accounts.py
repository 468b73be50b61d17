import secrets
from collections.abc import Callable
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import slugify

from platform_core.analytics import event_record
from platform_core.events import sockets_close_publish
from platform_core.exceptions import ApplicationError
from platform_core.models import Customer, User
from platform_core.notifications import notify
from platform_core.services.sessions import user_snapshots_forget

# Other apps react to a new account without platform_core importing them (dependencies point one
# way): each registers a callable here in its AppConfig.ready(); it runs inside the registration
# transaction, so its writes and the account commit together.
account_registered_hooks: list[Callable[..., object]] = []  # each called as hook(user=user)
# The same, once a user's e-mail address is verified: what may be linked to the person by address.
email_verified_hooks: list[Callable[..., object]] = []


SLUG_ATTEMPTS = 8
EMAIL_VERIFICATION_SALT = "platform_core.email-verification"


def _customer_create(name: str) -> Customer:
    """The company's slug, or (taken) the slug with a random suffix: one INSERT per try inside a
    savepoint, so concurrent sign-ups of one company never race on a checked-then-taken slug and no
    query is spent per existing namesake."""
    base = slugify(name)[:70] or "customer"
    slug = base
    for _ in range(SLUG_ATTEMPTS):
        try:
            with transaction.atomic():
                return Customer.objects.create(name=name, slug=slug)
        except IntegrityError:
            slug = f"{base}-{secrets.token_hex(3)}"
    raise ApplicationError("Could not name the customer; try again.", code="slug_unavailable", status_code=409)


def _verification_url(user: User) -> str:
    token = signing.dumps({"uid": user.pk, "email": user.email}, salt=EMAIL_VERIFICATION_SALT)
    return f"{settings.FRONTEND_URL}/verify-email?token={token}"


def _verification_context(user: User) -> dict[str, str]:
    hours = settings.EMAIL_VERIFICATION_HOURS
    return {"verify_url": _verification_url(user), "valid_hours": str(hours)}


@transaction.atomic
def customer_register(*, email: str, password: str, company_name: str, full_name: str = "") -> User | None:
    """Create a customer (tenant) and its owner in one transaction, and e-mail a verification link.

    An e-mail that already has an account gets no new account: its owner is told by e-mail instead
    and the caller sees the same answer as for a new account (None here), so registering does not
    reveal who has an account. Nothing is linked by e-mail until the address is verified.
    """
    email = email.strip().lower()
    try:
        validate_password(password, user=User(email=email, full_name=full_name))
    except ValidationError as exc:
        raise ValidationError({"password": exc.messages}) from exc
    if User.objects.filter(email=email).exists():
        notify(template="account_exists", to=[email], context={"login_url": f"{settings.FRONTEND_URL}/login"})
        return None
    try:
        with transaction.atomic():
            customer = _customer_create(company_name.strip())
            user = User.objects.create_user(
                email=email, password=password, full_name=full_name.strip(), customer=customer, role=User.Role.OWNER
            )
    except IntegrityError:  # the same e-mail registered at the same moment: the first one has it
        notify(template="account_exists", to=[email], context={"login_url": f"{settings.FRONTEND_URL}/login"})
        return None
    for hook in account_registered_hooks:
        hook(user=user)
    event_record("user.signed_up", user=user)
    notify(template="email_verification", to=[email], context=_verification_context(user))
    return user


@transaction.atomic
def user_email_verify(*, token: str) -> User:
    """Mark the address verified (the link is signed and expires), then run the verified hooks once."""
    try:
        payload = signing.loads(
            token, salt=EMAIL_VERIFICATION_SALT, max_age=timedelta(hours=settings.EMAIL_VERIFICATION_HOURS)
        )
        user_id, email = int(payload["uid"]), str(payload["email"])
    except signing.SignatureExpired as exc:
        raise ApplicationError("The verification link has expired.", code="token_expired", status_code=410) from exc
    except (signing.BadSignature, KeyError, TypeError, ValueError) as exc:
        raise ApplicationError("The verification link is not valid.", code="token_invalid", status_code=400) from exc
    user = User.objects.select_for_update().filter(pk=user_id, email=email, is_active=True).first()
    if user is None:  # the account is gone or its address changed since the link was sent
        raise ApplicationError("The verification link is not valid.", code="token_invalid", status_code=400)
    if user.email_verified_at is None:
        user.email_verified_at = timezone.now()
        user.save(update_fields=["email_verified_at"])
        for hook in email_verified_hooks:
            hook(user=user)
    return user


def customer_snapshots_forget(*, customer: Customer) -> None:
    """Call after any change to a customer: every request reads its name, tier and status from its
    users' Redis snapshots, so drop them; the next request of each user reloads them."""
    user_snapshots_forget(user_ids=list(User.objects.filter(customer=customer).values_list("pk", flat=True)))


@transaction.atomic
def customer_status_set(*, customer: Customer, status: str) -> Customer:
    """Suspend or reactivate a customer. Suspended: its sessions and API keys answer 403
    customer_suspended, its sockets close, its jobs fail instead of running."""
    if status not in Customer.Status.values:
        raise ApplicationError("Unknown customer status.", code="invalid_status", details={"status": [status]})
    Customer.objects.filter(pk=customer.pk).update(status=status)
    customer.status = status
    customer_snapshots_forget(customer=customer)
    if status == Customer.Status.SUSPENDED:
        sockets_close_publish(reason="customer_suspended", customer_ids=[customer.pk])
    return customer
