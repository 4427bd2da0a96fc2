"""Delivering recorded notices and recording their receipts.

A workflow first records `NoticeIssued` (the text and its hash), then calls `deliver`, which hands
each notice to the delivery activity and records one `NoticeDelivered` per receipt. Delivery is
retried until the channel takes the notice; a notice is never recorded as delivered before that.
"""

import asyncio
from collections.abc import Sequence
from datetime import timedelta

from temporalio import workflow
from temporalio.common import RetryPolicy

from activities.contracts import DELIVER_NOTICE, DeliveryReceipt, DeliveryRequest
from domain.events import NoticeDelivered, NoticeIssued
from domain.notices import delivered
from domain.provenance import Actor
from workflows.recording import Stream, record

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
