from django.apps import AppConfig


class RealtimeConfig(AppConfig):
    name = "realtime"

    def ready(self) -> None:
        # platform_core.event_record buffers; this app owns the table the buffer is written to.
        from platform_core.analytics import event_writer_register
        from realtime.analytics.services import events_write

        event_writer_register(events_write)
