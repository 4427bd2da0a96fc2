"""A database holding the County Durham story, and its URL for the auditor role."""

import pytest

from eventstore.store import EventStore
from tests.audit.cli import auditor_url
from tests.audit.story import append_story, county_durham_story


@pytest.fixture
async def story(store: EventStore) -> int:
    """The story appended through the store, as the workflows' activities would; its size."""
    return await append_story(store, county_durham_story())


@pytest.fixture
def auditor(database_url: str) -> str:
    return auditor_url(database_url)
