"""Issue 13 items 4 and 10: a socket lives only as long as the login session its ticket came from, its
user's membership and its customer's standing. Ends are pushed to the socket's groups through
platform_core.events.sockets_close_publish (session.<id>, user.<id>, customer.<id>) and the consumer
re-checks on that message and on every subscribe (realtime.selectors.socket_access_problem)."""

import pytest
from rest_framework.test import APIClient

from platform_core import gate
from platform_core.models import Customer
from platform_core.services.accounts import customer_status_set
from tests.platform_core.factories import UserFactory
from tests.platform_core.security_support import bearer, login
from tests.realtime.test_sockets import close_code, frame, in_thread, make_job, open_socket, run

live = pytest.mark.django_db(transaction=True)


def signed_in(user) -> tuple[APIClient, dict]:
    tokens = login(user.email)
    return bearer(tokens["access"]), tokens


def socket_ticket(client: APIClient) -> str:
    response = client.post("/api/v1/realtime/ticket/")
    assert response.status_code == 201, response.content
    return response.json()["ticket"]


async def opened(server, client):
    ws = await open_socket(server, await in_thread(socket_ticket, client))
    assert (await frame(ws))["type"] == "snapshot"
    return ws


@live
def test_logout_closes_the_sessions_socket_and_no_other(asgi_server):
    user = UserFactory()
    (phone, phone_tokens), (laptop, _) = signed_in(user), signed_in(user)

    async def scenario():
        phone_ws, laptop_ws = await opened(asgi_server, phone), await opened(asgi_server, laptop)
        out = await in_thread(phone.post, "/api/v1/auth/logout/", {"refresh": phone_tokens["refresh"]}, format="json")
        assert out.status_code == 204
        assert await close_code(phone_ws) == 4401
        await laptop_ws.send('{"action": "ping"}')
        assert (await frame(laptop_ws))["type"] == "pong"  # the other session's socket stays
        await laptop_ws.close()

    run(scenario())


@live
def test_revoking_a_session_closes_its_socket(asgi_server):
    user = UserFactory()
    client, tokens = signed_in(user)

    async def scenario():
        ws = await opened(asgi_server, client)
        response = await in_thread(client.delete, f"/api/v1/auth/sessions/{tokens['sessionId']}/")
        assert response.status_code == 204
        assert await close_code(ws) == 4401

    run(scenario())


@live
def test_removing_a_member_closes_their_sockets(asgi_server):
    owner = UserFactory()
    member = UserFactory(customer=owner.customer, role="member")
    member_client, _ = signed_in(member)
    owner_client, _ = signed_in(owner)

    async def scenario():
        ws = await opened(asgi_server, member_client)
        response = await in_thread(owner_client.delete, f"/api/v1/team/members/{member.pk}/")
        assert response.status_code == 204
        assert await close_code(ws) == 4401

    run(scenario())


@live
def test_moving_to_another_customer_closes_the_old_customers_socket(asgi_server):
    alice, bob = UserFactory(), UserFactory()
    alice_client, _ = signed_in(alice)
    bob_client, _ = signed_in(bob)
    invitation = bob_client.post("/api/v1/team/invitations/", {"email": alice.email, "role": "member"}, format="json")

    async def scenario():
        ws = await opened(asgi_server, alice_client)
        accepted = await in_thread(
            alice_client.post, "/api/v1/team/invitations/accept/", {"token": invitation.json()["token"]}, format="json"
        )
        assert accepted.status_code == 200, accepted.content
        assert await close_code(ws) == 4401

    run(scenario())


@live
def test_suspending_the_customer_closes_its_sockets(asgi_server):
    user = UserFactory()
    client, _ = signed_in(user)
    colleague_client, _ = signed_in(UserFactory(customer=user.customer))
    early_ticket = socket_ticket(colleague_client)

    async def scenario():
        ws = await opened(asgi_server, client)
        await in_thread(customer_status_set, customer=user.customer, status=Customer.Status.SUSPENDED)
        assert await close_code(ws) == 4401
        # A ticket issued before the suspension opens nothing, and no new ticket is issued.
        assert await close_code(await open_socket(asgi_server, early_ticket)) == 4401
        refused = await in_thread(colleague_client.post, "/api/v1/realtime/ticket/")
        assert refused.status_code == 403 and refused.json()["error"]["code"] == "customer_suspended"

    run(scenario())


@live
def test_every_subscribe_re_checks_the_session(asgi_server):
    """Even when the end's message is lost, the next subscribe finds the session ended and closes."""
    user = UserFactory()
    client, tokens = signed_in(user)
    job = make_job(user)

    async def scenario():
        ws = await opened(asgi_server, client)
        await ws.send(f'{{"action": "subscribe", "jobId": "{job.pk}"}}')
        assert (await frame(ws))["type"] == "subscribed"
        # Ended in the hot copy only, with no message to the socket (as if the publish were dropped).
        await in_thread(gate.client().hset, gate.session_key(tokens["sessionId"]), "end", "revoked")
        await ws.send(f'{{"action": "subscribe", "jobId": "{job.pk}"}}')
        assert await close_code(ws) == 4401

    run(scenario())
