"""The export's CSV rows are the text the standard `csv.writer` writes for the same cells."""

import csv
import io
from typing import Any

from hypothesis import given, strategies as st

from audit.export import COLUMNS, csv_row

# Every character a cell could hold, with the ones quoting turns on drawn often.
CELL_TEXT = st.text(alphabet=st.sampled_from(",\"\r\n \t;\\'\x00\x7f\u202e\u2028é😀ab")) | st.text()
CELLS = st.lists(CELL_TEXT | st.integers() | st.none(), min_size=2, max_size=6)


def _standard(cells: list[Any]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer).writerow(cells)
    return buffer.getvalue()


@given(CELLS)
def test_a_row_is_what_the_standard_writer_writes(cells: list[Any]) -> None:
    assert csv_row(cells) == _standard(cells)


def test_the_header_and_json_cells_are_quoted_as_the_standard_writer_quotes_them() -> None:
    data = '{"summary":"a, \\"quoted\\"\\nline","items":[1,2]}'
    row = [1, "stream", 2, data, None, "2022-08-12T00:00:00.000000+00:00"]
    assert csv_row(COLUMNS) == _standard(list(COLUMNS))
    assert csv_row(row) == _standard(row)
    assert csv_row(row).startswith('1,stream,2,"{""summary"":""a, \\""quoted')
