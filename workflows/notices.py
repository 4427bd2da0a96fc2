"""Delivering recorded notices and recording their receipts.

A workflow first records `NoticeIssued` (the text and its hash), then calls `deliver`, which hands
a decision's notices to one activity that delivers them and records one `NoticeDelivered` per
receipt. Delivery is retried until the channel takes every notice; a notice is never recorded as
delivered before that.
"""

import asyncio
from collections.abc import Sequence
from datetime import timedelta

from temporalio import workflow
from temporalio.common import RetryPolicy
from temporalio.exceptions import ActivityError

from activities.contracts import (
    DELIVER_NOTICE,
    DELIVER_NOTICES,
    DeliverNotices,
    DeliveryReceipt,
    DeliveryRequest,
    NoticesDelivered,
)
from domain.events import NoticeDelivered, NoticeIssued
from domain.notices import delivered
from domain.provenance import Actor
from workflows.contracts.process import Stream
from workflows.recording import record, refused_by_store

NOTICES_IN_ONE_ACTIVITY = "notices-delivered-in-one-activity"
"""The patch from which a decision's notices are delivered, and their receipts recorded, by one
activity; a history recorded before it replays with one activity per notice and an append."""

DELIVERY_RETRY = RetryPolicy(
    initial_interval=timedelta(seconds=5),
    backoff_coefficient=2.0,
    maximum_interval=timedelta(minutes=10),
)


async def _deliver_one(notice: NoticeIssued) -> DeliveryReceipt:
    receipt: DeliveryReceipt = await workflow.execute_activity(
        DELIVER_NOTICE,
        DeliveryRequest(
            partnership=notice.partnership,
            notice_id=notice.notice_id,
            recipient=notice.recipient,
            subject=notice.subject,
            body=notice.body,
            content_hash=notice.content_hash,
        ),
        result_type=DeliveryReceipt,
        start_to_close_timeout=timedelta(minutes=2),
        retry_policy=DELIVERY_RETRY,
    )
    return receipt


async def deliver(
    stream: Stream, notices: Sequence[NoticeIssued], actor: Actor
) -> tuple[Stream, list[NoticeDelivered]]:
    """Delivers `notices` side by side and records their receipts in one append."""
    if not workflow.patched(NOTICES_IN_ONE_ACTIVITY):
        return await _deliver_each(stream, notices, actor)
    request = DeliverNotices(
        stream_id=stream.stream_id,
        expected_version=stream.version,
        notices=list(notices),
        receipt_ids=[workflow.uuid4() for _ in notices],
        occurred_at=workflow.now(),
        actor=actor,
    )
    try:
        result = await workflow.execute_activity(
            DELIVER_NOTICES,
            request,
            result_type=NoticesDelivered,
            start_to_close_timeout=timedelta(minutes=5),
            retry_policy=DELIVERY_RETRY,
        )
    except ActivityError as error:
        refused_by_store(error)
    return stream.model_copy(update={"version": result.last_version}), result.receipts


async def _deliver_each(
    stream: Stream, notices: Sequence[NoticeIssued], actor: Actor
) -> tuple[Stream, list[NoticeDelivered]]:
    receipts = await asyncio.gather(*(_deliver_one(n) for n in notices))
    events = [
        delivered(
            notice,
            delivered_on=receipt.delivered_at.date(),
            channel=receipt.channel,
            reference=receipt.reference,
        )
        for notice, receipt in zip(notices, receipts, strict=True)
    ]
    stream = await record(stream, list(events), actor)
    return stream, events
