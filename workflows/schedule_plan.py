"""Which Temporal Schedules a partnership needs (docs/architecture.md principle 5), in one place:
the partnership's workflow asks for them when it starts, and `concordat schedules sync` keeps
them in step with the files of the partnerships that have started.

Each body with a meeting cadence gets a schedule starting its `MeetingCycle` before every meeting
(P5: CDCPE ToR §4-§5, CDCP MoU §11; MSE MoU 2020 §6.5, §6.16; NENC ICS MoU §17, §20), and each
register of interests an annual and a six-monthly `Declarations` round (P6: CDCPE ToR §6, CDCP MoU
§23), on calendars in Europe/London.
"""

from activities.contracts import PlannedSchedule
from domain.declarations import registers, round_calendar
from domain.meetings import meeting_calendar
from domain.partnership import Partnership
from workflows.contracts.declarations import DeclarationsInput
from workflows.contracts.meeting_cycle import MeetingCycleInput

PREFIX = "schedule:"


def meeting_schedule_id(partnership: str, body: str) -> str:
    return f"{PREFIX}meeting:{partnership}:{body}"


def declarations_schedule_id(partnership: str, body: str, kind: str) -> str:
    return f"{PREFIX}declarations:{partnership}:{body}:{kind}"


def partnership_prefixes(partnership: str) -> tuple[str, ...]:
    """Every schedule id of `partnership` starts with one of these."""
    return tuple(f"{PREFIX}{process}:{partnership}:" for process in ("meeting", "declarations"))


def meeting_schedule_workflow_id(partnership: str, body: str) -> str:
    """The id of the workflow a body's meeting schedule starts (P5); Temporal appends the fire
    time, so each meeting's run has its own id and a fire is never started twice."""
    return f"meeting:{partnership}:{body}"


def declarations_schedule_workflow_id(partnership: str, body: str, kind: str) -> str:
    """The id of the workflow a declarations schedule starts (P6); Temporal appends the fire
    time. Its stream is the round's: `domain.streams.declarations_stream`."""
    return f"declarations:{partnership}:{body}:{kind}"


def planned_schedules(config: Partnership) -> list[PlannedSchedule]:
    """Every schedule `config` asks for: one per body with a cadence, two per register."""
    planned: list[PlannedSchedule] = []
    for body in config.bodies:
        calendar = meeting_calendar(body)
        if calendar is None:
            continue
        planned.append(
            PlannedSchedule(
                schedule_id=meeting_schedule_id(config.slug, body.slug),
                partnership=config.slug,
                process="meeting",
                workflow="MeetingCycle",
                workflow_id=meeting_schedule_workflow_id(config.slug, body.slug),
                calendar=calendar,
                input=MeetingCycleInput(config=config, body=body.slug).model_dump(mode="json"),
            )
        )
    for body_slug in registers(config):
        for kind in ("annual", "review"):
            planned.append(
                PlannedSchedule(
                    schedule_id=declarations_schedule_id(config.slug, body_slug, kind),
                    partnership=config.slug,
                    process="declarations",
                    workflow="Declarations",
                    workflow_id=declarations_schedule_workflow_id(config.slug, body_slug, kind),
                    calendar=round_calendar(kind),
                    input=DeclarationsInput(config=config, body=body_slug, kind=kind).model_dump(
                        mode="json"
                    ),
                )
            )
    return planned
