"""Refusals of the event store; each is a distinct type so callers can react to it by name."""


class EventStoreError(Exception):
    pass


class ConcurrencyConflict(EventStoreError):
    def __init__(self, stream_id: str, expected: int, actual: int) -> None:
        super().__init__(f"stream {stream_id} is at version {actual}, not the expected {expected}")
        self.stream_id = stream_id
        self.expected = expected
        self.actual = actual


class EventIdConflict(EventStoreError):
    """An event id already in the log names a different event: never silently accepted."""


class InvalidEvent(EventStoreError):
    """An event that cannot be recorded as given (naive time, float, empty batch)."""
