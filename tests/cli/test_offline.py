"""Refusals given with no stack running: no sign-in, unreachable API or Temporal, impossible
dates, ruling names.

No `stack` fixture here, so this module runs in seconds.
"""

import asyncio
import subprocess
import sys
import threading
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import Any

import pytest
from temporalio import workflow
from temporalio.api.common.v1 import (
    Payload,
    SearchAttributes,
    WorkflowExecution as ExecutionRef,
    WorkflowType,
)
from temporalio.api.enums.v1 import WorkflowExecutionStatus
from temporalio.api.workflow.v1 import WorkflowExecutionInfo
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from concordat.cli.escalation import _rulings
from concordat.cli.tokens import SignIn, save
from concordat.cli.what_if import _conflict
from concordat.visibility import describe, row
from deploy.processes import free_port
from domain.events import ConflictRuling
from workflows import search_attributes


def offline(*args: str, **settings: str) -> subprocess.CompletedProcess[str]:
    env = {
        "CONCORDAT_TEMPORAL_ADDRESS": f"127.0.0.1:{free_port()}",
        "PATH": "/usr/bin:/bin",
        **settings,
    }
    return subprocess.run(
        [sys.executable, "-m", "concordat.cli", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


PERSON_COMMANDS = [("workflows", "list"), ("status", "partnership:county-durham")]


def test_an_administrators_command_without_temporal_is_one_plain_line() -> None:
    ran = offline("schedules", "list")
    assert ran.returncode == 1
    assert ran.stdout == ""
    assert ran.stderr.count("\n") == 1, ran.stderr
    assert ran.stderr.startswith("concordat: cannot reach Temporal at 127.0.0.1:")
    assert ran.stderr.endswith(": is the service running? (make run)\n")


@pytest.mark.parametrize("command", PERSON_COMMANDS)
def test_no_sign_in_says_to_sign_in(command: tuple[str, ...], tmp_path: Path) -> None:
    port = free_port()
    ran = offline(*command, XDG_CONFIG_HOME=str(tmp_path), CONCORDAT_WEB_PORT=str(port))
    assert ran.returncode == 1
    assert ran.stdout == ""
    assert ran.stderr == (
        f"concordat: not signed in to http://127.0.0.1:{port}: run concordat login\n"
    )


@pytest.mark.parametrize("command", PERSON_COMMANDS)
def test_no_api_is_one_plain_line(
    command: tuple[str, ...], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    api = f"http://127.0.0.1:{free_port()}"
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    save(SignIn(api=api, issuer="http://issuer", access_token="t", email="a@b", name="A"))
    ran = offline(*command, XDG_CONFIG_HOME=str(tmp_path), CONCORDAT_PUBLIC_BASE_URL=api)
    assert ran.returncode == 1
    assert ran.stdout == ""
    assert ran.stderr.count("\n") == 1, ran.stderr
    assert ran.stderr.startswith(f"concordat: cannot reach the Concordat API at {api} (")
    assert ran.stderr.endswith("): is it running?\n")


class _Proxy(BaseHTTPRequestHandler):
    """What answers when a proxy stands where the API should: a page, not the API's JSON."""

    def do_GET(self) -> None:
        page = b"<html>\n<body>\n<h1>502 Bad Gateway</h1>\n" + b"x" * 500 + b"\n</body></html>"
        self.send_response(502)
        self.send_header("Content-Type", "text/html")
        self.end_headers()
        self.wfile.write(page)

    def log_message(self, format: str, *args: Any) -> None:
        pass


def test_an_answer_not_from_the_api_is_one_line_with_its_status(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    proxy = HTTPServer(("127.0.0.1", 0), _Proxy)
    threading.Thread(target=proxy.serve_forever, daemon=True).start()
    api = f"http://127.0.0.1:{proxy.server_address[1]}"
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    save(SignIn(api=api, issuer="http://issuer", access_token="t", email="a@b", name="A"))
    try:
        ran = offline("workflows", "list", XDG_CONFIG_HOME=str(tmp_path),
                      CONCORDAT_PUBLIC_BASE_URL=api)  # fmt: skip
    finally:
        proxy.shutdown()
    assert ran.returncode == 1
    assert ran.stderr.count("\n") == 1, ran.stderr
    assert ran.stderr.startswith(
        f"concordat: {api}/api/v1/processes answered 502: <html> <body> <h1>502 Bad Gateway</h1> x"
    )
    assert len(ran.stderr) < 300


def test_a_date_that_does_not_exist_is_called_so() -> None:
    ran = offline("mou", "sign", "county-durham", "dcc", "--name", "A", "--role", "B",
                  "--date", "2026-02-30")  # fmt: skip
    assert ran.returncode == 1
    assert ran.stderr == "concordat: --date '2026-02-30' is not a real date\n"
    malformed = offline("mou", "sign", "county-durham", "dcc", "--name", "A", "--role", "B",
                        "--date", "30/02/2026")  # fmt: skip
    assert malformed.stderr == (
        "concordat: --date must be a date written YYYY-MM-DD, not '30/02/2026'\n"
    )


@pytest.mark.parametrize(
    ("typed", "ruling"),
    [
        ("leave", ConflictRuling.LEAVE),
        ("discuss_not_decide", ConflictRuling.DISCUSS_NOT_DECIDE),
        ("discuss", ConflictRuling.DISCUSS_NOT_DECIDE),
        ("take_part", ConflictRuling.TAKE_PART),
        ("take-part", ConflictRuling.TAKE_PART),
    ],
)
def test_what_if_and_escalation_decide_take_the_same_rulings(
    typed: str, ruling: ConflictRuling
) -> None:
    assert _conflict(f"cdcpe:healthwatch-chair:{typed}").ruling is ruling
    assert _rulings((f"healthwatch-chair:{typed}",)) == {"healthwatch-chair": ruling}


def test_both_helps_name_the_same_rulings() -> None:
    # click wraps help text, sometimes at a hyphen: read it unwrapped.
    what_if, decide = (
        " ".join(offline(*command, "--help").stdout.split()).replace("- ", "-")
        for command in (("what-if",), ("escalation", "decide"))
    )
    for name in ("leave", "discuss_not_decide", "take_part", "discuss", "take-part"):
        assert name in what_if and name in decide


def _info(deadline: bytes) -> WorkflowExecutionInfo:
    keyword = {"encoding": b"json/plain", "type": b"Keyword"}
    info = WorkflowExecutionInfo(
        execution=ExecutionRef(workflow_id="exit:county-durham:tewv", run_id="r"),
        type=WorkflowType(name="Exit"),
        status=WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_RUNNING,
        search_attributes=SearchAttributes(
            indexed_fields={
                "ConcordatPartnership": Payload(metadata=keyword, data=b'"county-durham"'),
                "ConcordatStatus": Payload(metadata=keyword, data=b'"notified"'),
                "ConcordatNextDeadline": Payload(
                    metadata={"encoding": b"json/plain", "type": b"Datetime"}, data=deadline
                ),
            }
        ),
    )
    info.start_time.FromDatetime(datetime(2026, 1, 5, 9, 0, tzinfo=UTC))
    return info


def test_a_search_attribute_that_does_not_decode_is_unknown_not_a_crash() -> None:
    listed = row(_info(b'"not a moment"'))
    assert listed.next_deadline is None
    assert listed.unreadable == ("ConcordatNextDeadline",)
    assert listed.partnership == "county-durham" and listed.concordat_status == "notified"
    assert listed.status == "RUNNING" and listed.workflow_type == "Exit"
    assert listed.started_at == datetime(2026, 1, 5, 9, 0, tzinfo=UTC)

    # How the time-skipping test server keeps a deadline that was unset: no deadline.
    unset = row(_info(b""))
    assert unset.next_deadline is None and unset.unreadable == ()

    readable = row(_info(b'"2026-02-04T09:00:00Z"'))
    assert readable.next_deadline == datetime(2026, 2, 4, 9, 0, tzinfo=UTC)
    assert readable.unreadable == ()


@workflow.defn(sandboxed=False)
class ClearsItsDeadline:
    """Publishes a deadline, then clears it, as a process does once its last timer has fired."""

    @workflow.run
    async def run(self) -> None:
        search_attributes.publish("county-durham", "exit", "notified", None)
        await workflow.wait_condition(lambda: False)


async def test_a_cleared_deadline_on_the_time_skipping_server_reads_as_none(
    time_skipping_env: WorkflowEnvironment,
) -> None:
    temporal = time_skipping_env.client
    async with Worker(temporal, task_queue="cleared", workflows=[ClearsItsDeadline]):
        handle = await temporal.start_workflow(
            ClearsItsDeadline.run, id="cleared", task_queue="cleared"
        )
        for _ in range(50):
            described = await describe(temporal, handle.id)
            if described.concordat_status == "notified":
                break
            await asyncio.sleep(0.1)
        assert described.concordat_status == "notified"
        assert described.next_deadline is None and described.unreadable == ()
        with pytest.raises(TypeError):  # what the CLI used to do with it
            await handle.describe()
        await handle.terminate()
