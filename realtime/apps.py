from django.apps import AppConfig


class RealtimeConfig(AppConfig):
    name = "realtime"

    def ready(self) -> None:
        # platform_core.event_record buffers; this app owns the table the buffer is written to.
        from platform_core.analytics import event_writer_register, usage_reader_register
        from realtime.analytics.selectors import customer_dashboard, customer_has_usage, staff_dashboard
        from realtime.analytics.services import events_write

        event_writer_register(events_write)
        # exports' usage reports read these through platform_core (exports may not import realtime).
        usage_reader_register(customer=customer_dashboard, platform=staff_dashboard, has_usage=customer_has_usage)
