"""A decision's written notices delivered together, their receipts recorded in the same activity.

One activity in place of one per notice and one more for the receipts: a review's or an exit's
letters are most of its activities (issue 13). Delivery stays idempotent (the outbox rewrites
the same file, SMTP resends the same Message-ID) and so does the append (the workflow's event
ids), so a retry after a lost reply delivers nothing new and records nothing twice.
"""

import asyncio

from temporalio import activity

from activities.contracts import (
    DELIVER_NOTICES,
    AppendRequest,
    DeliverNotices,
    DeliveryRequest,
    EventToRecord,
    NoticesDelivered,
)
from activities.delivery import DeliveryActivities
from activities.store import StoreActivities
from domain.events import NoticeDelivered, NoticeIssued
from domain.notices import delivered
from eventstore.codec import to_domain_event
from eventstore.store import EventStore


def delivery_request(notice: NoticeIssued) -> DeliveryRequest:
    """What the channel is handed: the recorded text, whose hash is in the event."""
    return DeliveryRequest(
        partnership=notice.partnership,
        notice_id=notice.notice_id,
        recipient=notice.recipient,
        subject=notice.subject,
        body=notice.body,
        content_hash=notice.content_hash,
        issued_on=notice.issued_on,
    )


class NoticeActivities:
    def __init__(self, delivery: DeliveryActivities, store: EventStore) -> None:
        self._delivery = delivery
        self._store = store
        self._appender = StoreActivities(store)

    @activity.defn(name=DELIVER_NOTICES)
    async def deliver_notices(self, request: DeliverNotices) -> NoticesDelivered:
        """Delivers every notice side by side, then appends one `NoticeDelivered` per receipt;
        nothing is recorded as delivered before the channel took it."""
        sent = await asyncio.gather(
            *(self._delivery.send(delivery_request(n)) for n in request.notices)
        )
        receipts = [
            delivered(
                notice,
                delivered_on=receipt.delivered_at.date(),
                channel=receipt.channel,
                reference=receipt.reference,
            )
            for notice, receipt in zip(request.notices, sent, strict=True)
        ]
        appended = await self._appender.append_events(
            AppendRequest(
                stream_id=request.stream_id,
                expected_version=request.expected_version,
                events=[
                    EventToRecord(
                        event_id=event_id,
                        occurred_at=request.occurred_at,
                        actor=request.actor,
                        event=receipt,
                    )
                    for event_id, receipt in zip(request.receipt_ids, receipts, strict=True)
                ],
            )
        )
        if appended.already_recorded:
            # An earlier attempt recorded them and lost the reply: the workflow folds what the
            # log holds, not this attempt's times.
            receipts = await self._recorded(request)
        return NoticesDelivered(receipts=receipts, last_version=appended.last_version)

    async def _recorded(self, request: DeliverNotices) -> list[NoticeDelivered]:
        after = await self._store.read_stream(request.stream_id, request.expected_version)
        recorded = [to_domain_event(e) for e in after[: len(request.notices)]]
        receipts = [e for e in recorded if isinstance(e, NoticeDelivered)]
        if len(receipts) != len(request.notices):
            raise RuntimeError(
                f"{request.stream_id} holds {len(receipts)} receipts after version "
                f"{request.expected_version}, not the {len(request.notices)} it recorded"
            )
        return receipts
