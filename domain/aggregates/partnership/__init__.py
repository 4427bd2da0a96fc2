"""The partnership aggregate: signatories, signatures, MoU versions and the review due date.

One stream per partnership. It collects signatures until the MoU is effective (MSE MoU 2020 §15.3:
"No counterpart shall be effective until each Partner has executed at least one counterpart";
CDCP MoU §24: commences on the date of signature of the partners, initial period of one year,
reviewed at least annually), then records exits (CDCP MoU §27), review outcomes and admissions.
"""

from domain.aggregates.partnership.admission import (
    AdmissionCommand,
    AgreeAdmission,
    ProposeAdmission,
    SignCounterpart,
)
from domain.aggregates.partnership.commands import (
    AdmitPartner,
    EndMembership,
    EndProcess,
    EstablishBody,
    PartnershipCommand,
    RecordReviewOutcome,
    RequestReview,
    SignMou,
    StartCommittee,
    StartProcess,
)
from domain.aggregates.partnership.decide import decide
from domain.aggregates.partnership.evolve import evolve, fold
from domain.aggregates.partnership.interests import BETWEEN_ROUNDS, UpdateInterests
from domain.aggregates.partnership.processes import unused_process_id
from domain.aggregates.partnership.state import (
    Departure,
    PartnershipState,
    ProcessRecord,
    Signature,
    initial_state,
)

__all__ = [
    "BETWEEN_ROUNDS",
    "AdmissionCommand",
    "AdmitPartner",
    "AgreeAdmission",
    "Departure",
    "EndMembership",
    "EndProcess",
    "EstablishBody",
    "PartnershipCommand",
    "PartnershipState",
    "ProcessRecord",
    "ProposeAdmission",
    "RecordReviewOutcome",
    "RequestReview",
    "SignCounterpart",
    "SignMou",
    "Signature",
    "StartCommittee",
    "StartProcess",
    "UpdateInterests",
    "decide",
    "evolve",
    "fold",
    "initial_state",
    "unused_process_id",
]
