"""The shared limiter: many clients at once never send a base more than 5 requests a second."""

import threading

from integrations.airtable.client import AirtableClient
from tests.integrations.airtable.conftest import BASE, TOKEN


def test_threads_sharing_a_base_stay_within_five_per_second_with_no_429(fake, settings):
    fake.seed(BASE, "User Progress", [{"Tool Name": "t"}])
    errors: list[BaseException] = []

    def hammer() -> None:
        client = AirtableClient(TOKEN, base_id=BASE)
        try:
            for _ in range(8):
                client.table(BASE, "User Progress").first()
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=hammer) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert len(fake.requests_for(BASE)) == 32
    assert fake.over_limit_base == 0 and fake.status_counts[429] == 0
    assert fake.max_per_second(BASE) <= 5


def test_a_429_pauses_the_base_then_the_request_is_retried(fake):
    fake.seed(BASE, "User Progress", [{"Tool Name": "t"}])
    fake.fail_next("429", base=BASE)
    client = AirtableClient(TOKEN, base_id=BASE)
    record = client.table(BASE, "User Progress").first()
    assert record is not None and record["fields"]["Tool Name"] == "t"
    arrivals = [r.at for r in fake.requests_for(BASE)]
    assert [r.status for r in fake.requests_for(BASE)] == [429, 200]
    assert arrivals[1] - arrivals[0] >= 2.0  # AIRTABLE_RATE_LIMIT_PAUSE_SECONDS in these tests
    assert client.stats.rate_limited == 1 and client.stats.requests == 2


def test_5xx_and_timeouts_back_off_and_retry(fake, settings):
    settings.AIRTABLE_REQUEST_TIMEOUT_SECONDS = 0.5
    fake.slow_seconds = 1.0
    fake.seed(BASE, "User Progress", [{"Tool Name": "t"}])
    fake.fail_next("500", base=BASE)
    fake.fail_next("timeout", base=BASE)
    fake.fail_next("503", base=BASE)
    client = AirtableClient(TOKEN, base_id=BASE)
    assert client.table(BASE, "User Progress").first() is not None
    assert client.stats.requests == 4
    assert [r.status for r in fake.requests_for(BASE)] == [500, 0, 503, 200]
