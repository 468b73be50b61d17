"""Beat jobs of the analytics engine (thin: each calls a service)."""

from celery import shared_task


@shared_task(acks_late=True, ignore_result=True)
def analytics_fold() -> int:
    """The dataAggregationJob: fold new events into the rollups and push the deltas to dashboards."""
    from realtime.analytics.live import dashboard_updates_publish
    from realtime.analytics.services import rollups_fold

    return dashboard_updates_publish(delta=rollups_fold())


@shared_task(acks_late=True, ignore_result=True)
def analytics_partitions_maintain() -> dict[str, list[str]]:
    from realtime.analytics.services import partitions_maintain

    return partitions_maintain()


@shared_task(acks_late=True, ignore_result=True)
def analytics_views_refresh() -> None:
    from realtime.analytics.services import views_refresh

    views_refresh()
