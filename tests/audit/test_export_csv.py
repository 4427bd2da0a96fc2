"""The export's CSV rows are the text the standard `csv.writer` writes for the same values, in
UTF-8."""

import csv
import io
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any
from uuid import UUID

import pytest
from hypothesis import given, strategies as st

from audit.export import CSV_HEADER, _iso, _record, csv_line
from eventstore.store import COLUMNS

# Every character a cell could hold, with the ones quoting turns on drawn often.
CHARACTERS = ",\"\r\n \t;\\'\x00\x7f\u202e\u2028é😀ab"
TEXT = st.text(alphabet=st.sampled_from(CHARACTERS)) | st.text(
    alphabet=st.characters(blacklist_categories=["Cs"])
)
# Data and metadata come as bytes: a lone surrogate (which UTF-8 does not encode) too, passed on.
JSON_TEXT = st.text(alphabet=st.sampled_from(CHARACTERS + "\ud800")) | st.text()
MOMENTS = st.datetimes(timezones=st.just(UTC)) | st.datetimes().map(
    lambda d: d.replace(tzinfo=UTC, microsecond=0)  # no microseconds: still six digits written
)


def _standard(values: list[Any]) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer).writerow(values)
    return buffer.getvalue().encode("utf-8", "surrogatepass")


@given(
    st.fixed_dictionaries(
        {
            "position": st.integers(min_value=1),
            "stream_id": TEXT,
            "version": st.integers(min_value=1),
            "event_id": st.uuids(),
            "event_type": TEXT,
            "schema_version": st.integers(min_value=1),
            "occurred_at": MOMENTS,
            "recorded_at": MOMENTS,
            "event_hash": st.binary(min_size=32, max_size=32),
            "metadata_hash": st.binary(min_size=32, max_size=32),
            "chain_hash": st.binary(min_size=32, max_size=32),
            "hash_scheme": st.sampled_from([1, 2]),
            "governance_on": st.none() | st.dates(),
        }
    ),
    JSON_TEXT,
    JSON_TEXT,
)
def test_a_row_is_what_the_standard_writer_writes(
    row: dict[str, Any], data: str, metadata: str
) -> None:
    utf8 = data.encode("utf-8", "surrogatepass"), metadata.encode("utf-8", "surrogatepass")
    assert csv_line(row, *utf8) == _standard(list(_record(row, data, metadata).values()))


ROW = {
    **dict.fromkeys(("position", "version", "schema_version"), 3),
    "stream_id": "committee:county-durham",
    "event_id": UUID(int=7),
    "event_type": "MouSigned",
    **dict.fromkeys(("occurred_at", "recorded_at"), datetime(2022, 8, 12, 1, tzinfo=UTC)),
    **dict.fromkeys(("event_hash", "metadata_hash", "chain_hash"), bytes(32)),
    "hash_scheme": 2,
    "governance_on": date(2022, 8, 11),
}


def test_the_header_and_a_json_row_are_quoted_as_the_standard_writer_quotes_them() -> None:
    data = '{"summary":"a, \\"quoted\\"\\nline","items":[1,2]}'
    row = ROW
    assert _standard(list(COLUMNS)) == CSV_HEADER
    line = csv_line(row, data.encode(), b"{}")
    assert line == _standard(list(_record(row, data, "{}").values()))
    assert (
        b',"{""summary"":""a, \\""quoted\\""\\nline"",""items"":[1,2]}",{},2022-08-12T01:00' in line
    )


def test_a_time_is_written_in_its_own_zone_after_an_equal_time_in_utc() -> None:
    """Times are remembered once written, and equal times in two zones are equal keys: each is
    still written with its own offset."""
    moment = datetime(2022, 8, 12, 9, tzinfo=UTC)
    assert _iso(moment) == "2022-08-12T09:00:00.000000+00:00"
    in_bst = moment.astimezone(timezone(timedelta(hours=1)))
    assert _iso(in_bst) == "2022-08-12T10:00:00.000000+01:00"
    assert _iso(moment) == "2022-08-12T09:00:00.000000+00:00"


def test_a_stream_id_utf_8_cannot_encode_is_refused_not_written() -> None:
    """A lone surrogate (which PostgreSQL's text never holds) stops the export, as writing it
    to a UTF-8 file did, rather than being written as bytes no UTF-8 reader accepts."""
    row = {**ROW, "stream_id": "review:\ud800"}
    with pytest.raises(UnicodeEncodeError):
        csv_line(row, b"{}", b"{}")
