"""Checks Concordat's evidence without Concordat: an export, a signed checkpoint and proofs.

One file, the Python standard library and an Ed25519 check (the `cryptography` package); it imports
nothing of Concordat, so an auditor can read all of it. docs/audit.md explains each step.

    python verify_offline.py export EXPORT.jsonl CHECKPOINT.txt --key KEY
    python verify_offline.py prove PROOF.json --key KEY
    python verify_offline.py consistency PROOF.json --key KEY
    python verify_offline.py signatures EXPORT.jsonl --service-key HEX [--service-key HEX ...]

KEY is the public key Concordat printed for auditors (NAME+ID+BASE64); HEX a public key of the
web service that signs people's commands. Exit 0 means verified; any refusal is one line on
stderr, naming what is wrong, and exit 1.
"""

import argparse
import base64
import binascii
import hashlib
import json
import struct
import sys
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

GENESIS = bytes(32)
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


class Refused(ValueError):
    """The evidence does not show what it claims; the message says where."""


# 1. Hashes of one event (eventstore/hashing.py) ------------------------------------------------


def canonical(value: Any, scheme: int = 2) -> str:
    """Scheme 1 (rows before RFC 8785 was adopted): keys sorted by code point. Scheme 2: RFC 8785,
    which for values without floats (Concordat records none) is this: keys sorted by their UTF-16
    code units, strings as JSON escapes them minimally, integers as exact doubles."""
    if scheme == 1:
        return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    if scheme != 2:
        raise Refused(f"hash scheme {scheme} is not known")
    if isinstance(value, dict):
        keys = sorted(value, key=lambda k: k.encode("utf-16-be"))
        return "{" + ",".join(f"{canonical(k)}:{canonical(value[k])}" for k in keys) + "}"
    if isinstance(value, list):
        return "[" + ",".join(canonical(v) for v in value) + "]"
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) > 2**53 - 1:
        raise Refused(f"the integer {value} is outside what RFC 8785 can represent exactly")
    if isinstance(value, float):
        raise Refused("a float: Concordat records none")
    return json.dumps(value, ensure_ascii=False)


def micros(text: str) -> int:
    delta = datetime.fromisoformat(text) - EPOCH
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


def chain_hash(record: dict[str, Any], previous: bytes) -> bytes:
    """Recomputes the event's three hashes from an export record; refuses any that differs."""
    header = canonical(
        [
            record["event_id"],
            record["stream_id"],
            record["version"],
            record["event_type"],
            record["schema_version"],
            micros(record["occurred_at"]),
        ]
    )
    scheme = record["hash_scheme"]
    data = canonical(record["data"], scheme)
    content = hashlib.sha256(f"{header}\n{data}".encode()).digest()
    if content.hex() != record["event_hash"]:
        raise Refused(f"position {record['position']}: the content does not match its hash")
    metadata = hashlib.sha256(canonical(record["metadata"], scheme).encode()).digest()
    if metadata.hex() != record["metadata_hash"]:
        raise Refused(f"position {record['position']}: the metadata does not match its hash")
    packed = struct.pack(">qq", record["position"], micros(record["recorded_at"]))
    link = hashlib.sha256(previous + packed + content + metadata).digest()
    if link.hex() != record["chain_hash"]:
        raise Refused(f"position {record['position']}: the chain is broken")
    return link


# 2. The Merkle tree, RFC 9162 section 2.1 -------------------------------------------------------


def leaf_hash(entry: bytes) -> bytes:
    return hashlib.sha256(b"\x00" + entry).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def merkle_roots(leaves: Iterable[bytes]) -> Iterable[bytes]:
    """The root of every prefix of `leaves`, from a stack of perfect subtrees."""
    peaks: list[tuple[int, bytes]] = []
    for leaf in leaves:
        level, value = 0, leaf
        while peaks and peaks[-1][0] == level:
            value = node_hash(peaks.pop()[1], value)
            level += 1
        peaks.append((level, value))
        root = peaks[-1][1]
        for _, left in reversed(peaks[:-1]):
            root = node_hash(left, root)
        yield root


def verify_inclusion(
    index: int, size: int, leaf: bytes, proof: Sequence[bytes], root: bytes
) -> None:
    """RFC 9162 2.1.3.2."""
    if not 0 <= index < size:
        raise Refused(f"leaf {index} is not in a tree of {size}")
    fn, sn, r = index, size - 1, leaf
    for p in proof:
        if sn == 0 or len(p) != 32:
            raise Refused("the inclusion proof has too many or malformed hashes")
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            while not fn & 1 and fn != 0:
                fn, sn = fn >> 1, sn >> 1
        else:
            r = node_hash(r, p)
        fn, sn = fn >> 1, sn >> 1
    if sn != 0 or r != root:
        raise Refused("the inclusion proof does not lead to the checkpoint's root")


def verify_consistency(
    old: int, new: int, old_root: bytes, new_root: bytes, proof: Sequence[bytes]
) -> None:
    """RFC 9162 2.1.4.2 (a tree is trivially consistent with itself and with the empty tree)."""
    if not 0 <= old <= new:
        raise Refused(f"a tree of {old} cannot be a prefix of a tree of {new}")
    if old == 0 or old == new:
        if proof or (old == new and old_root != new_root):
            raise Refused("the trees differ though one is trivially a prefix of the other")
        return
    if not proof or any(len(p) != 32 for p in proof):
        raise Refused("the consistency proof is empty or malformed")
    path = [old_root, *proof] if old & (old - 1) == 0 else list(proof)
    fn, sn = old - 1, new - 1
    while fn & 1:
        fn, sn = fn >> 1, sn >> 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            raise Refused("the consistency proof has too many hashes")
        if fn & 1 or fn == sn:
            fr, sr = node_hash(c, fr), node_hash(c, sr)
            while not fn & 1 and fn != 0:
                fn, sn = fn >> 1, sn >> 1
        else:
            sr = node_hash(sr, c)
        fn, sn = fn >> 1, sn >> 1
    if sn != 0 or fr != old_root or sr != new_root:
        raise Refused("the consistency proof does not lead to both checkpoints' roots")


# 3. Signed checkpoints (C2SP signed note and tlog-checkpoint) ------------------------------------


def parse_key(text: str) -> tuple[str, bytes]:
    """NAME+ID+BASE64 -> (name, 32-byte Ed25519 public key), its id checked."""
    name, _, rest = text.strip().partition("+")  # the name holds no "+", the base64 may
    key_id, _, encoded = rest.partition("+")
    try:
        raw = base64.b64decode(encoded, validate=True)
    except binascii.Error as error:
        raise Refused(f"the key {text!r} is not NAME+ID+BASE64") from error
    if len(raw) != 33 or raw[0] != 1 or signer_id(name, raw[1:]).hex() != key_id:
        raise Refused(f"the key {text!r} is not an Ed25519 key with its id")
    return name, raw[1:]


def signer_id(name: str, public: bytes) -> bytes:
    return hashlib.sha256(name.encode() + b"\n\x01" + public).digest()[:4]


def open_checkpoint(note: str, key: tuple[str, bytes]) -> tuple[int, bytes]:
    """(tree size, root hash) of a note whose signature by `key` verifies."""
    name, public = key
    body, sep, signatures = note.partition("\n\n")
    if not sep:
        raise Refused("the checkpoint is not a signed note (no blank line)")
    body += "\n"
    for line in signatures.splitlines():
        signer, _, stamp = line.removeprefix("\u2014 ").rpartition(" ")
        try:
            raw = base64.b64decode(stamp, validate=True)
        except binascii.Error:
            continue
        if signer == name and raw[:4] == signer_id(name, public) and len(raw) == 68:
            try:
                Ed25519PublicKey.from_public_bytes(public).verify(raw[4:], body.encode())
            except InvalidSignature as error:
                raise Refused(f"the checkpoint's signature by {name} is not valid") from error
            lines = body.split("\n")
            if lines[0] != name or not lines[1].isdigit():
                raise Refused(f"the checkpoint is not of {name} or has no size")
            return int(lines[1]), base64.b64decode(lines[2], validate=True)
    raise Refused(f"the checkpoint is not signed by {name}")


# 4. The three checks ------------------------------------------------------------------------------


def check_export(lines: Iterable[str], note: str, key: tuple[str, bytes]) -> str:
    """Every event's hashes and chain, in order from position 1, and the Merkle root of the first
    `tree size` events equal to the checkpoint's."""
    size, root = open_checkpoint(note, key)
    previous, position, matched = GENESIS, 0, size == 0

    def leaves() -> Iterable[bytes]:
        nonlocal previous, position
        for line in lines:
            record = json.loads(line)
            position += 1
            if record["position"] != position:
                raise Refused(f"position {position} is missing (next is {record['position']})")
            previous = chain_hash(record, previous)
            yield leaf_hash(previous)

    for at, prefix_root in enumerate(merkle_roots(leaves()), start=1):
        if at == size:
            if prefix_root != root:
                raise Refused(f"the first {size} events are not the ones the checkpoint signed")
            matched = True
    if not matched:
        raise Refused(
            f"the export ends at position {position}, but the checkpoint covers {size}: "
            f"positions {position + 1} to {size} are missing"
        )
    if position > size:
        # Export with --up-to the checkpoint's size: an event past it is signed by nobody.
        raise Refused(
            f"positions {size + 1} to {position} are in no checkpoint: nothing vouches for them"
        )
    return f"verified: {size} events, as the checkpoint of size {size} signed"


def check_inclusion(bundle: dict[str, Any], key: tuple[str, bytes]) -> str:
    size, root = open_checkpoint(bundle["checkpoint"], key)
    record = bundle["event"]
    link = chain_hash(record, bytes.fromhex(bundle["previous_chain_hash"]))
    proof = [bytes.fromhex(h) for h in bundle["proof"]]
    verify_inclusion(record["position"] - 1, size, leaf_hash(link), proof, root)
    return f"verified: position {record['position']} is in the checkpoint of size {size}"


def check_consistency(bundle: dict[str, Any], key: tuple[str, bytes]) -> str:
    old, old_root = open_checkpoint(bundle["old"], key)
    new, new_root = open_checkpoint(bundle["new"], key)
    verify_consistency(old, new, old_root, new_root, [bytes.fromhex(h) for h in bundle["proof"]])
    return f"verified: the log of {old} events is a prefix of the log of {new}"


SYSTEM_ISSUER = "concordat"
"""Timers and schedules act as named actors of this issuer, from inside the workflows: their
events carry no signature (no command was sent)."""


def signed_text(signature: dict[str, Any], provenance: dict[str, Any]) -> str:
    """The text the service signed for the command behind an event (domain/provenance.py
    `signed_text`): the command, who, and when, as JSON with sorted keys and no spaces."""
    issued_at = datetime.fromisoformat(signature["issued_at"]).isoformat()
    return json.dumps(
        {"command": signature["command"], "issued_at": issued_at, "provenance": provenance},
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
    )


def check_signatures(lines: Iterable[str], service_keys: Sequence[str]) -> str:
    """Every event a person caused is signed, by one of `service_keys`, over exactly the
    person, role, command and time its metadata records; system actors sign nothing."""
    signed = system = 0
    for line in lines:
        record = json.loads(line)
        metadata, position = record["metadata"], record["position"]
        provenance = metadata.get("provenance")
        if provenance is None:
            raise Refused(f"position {position} records no provenance: nobody vouched for it")
        if provenance["person"]["issuer"] == SYSTEM_ISSUER:
            system += 1
            continue
        signature = metadata.get("signature")
        if signature is None:
            raise Refused(f"position {position} was caused by a person but carries no signature")
        if signature["key"] not in service_keys:
            raise Refused(f"position {position} is signed by {signature['key']}, not a key given")
        text = signed_text(signature, provenance)
        try:
            key = Ed25519PublicKey.from_public_bytes(bytes.fromhex(signature["key"]))
            key.verify(bytes.fromhex(signature["value"]), text.encode())
        except InvalidSignature as error:
            person = provenance["person"]
            raise Refused(
                f"position {position}: the signature does not cover what the event says "
                f"{person.get('email') or person['subject']} did"
            ) from error
        signed += 1
    return f"verified: {signed} events signed for the people who acted, {system} by system actors"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("check", choices=["export", "prove", "consistency", "signatures"])
    parser.add_argument("files", nargs="+", help="export and checkpoint, or a proof's JSON")
    parser.add_argument("--key", help="the log's public key, NAME+ID+BASE64")
    parser.add_argument(
        "--service-key", action="append", default=[], help="a web service's public key, hex"
    )
    args = parser.parse_args(argv)
    try:
        if args.check == "signatures":
            with open(args.files[0], encoding="utf-8") as rows:
                print(check_signatures(rows, args.service_key))
            return 0
        if args.key is None:
            raise Refused("--key (the log's public key) is needed for this check")
        key = parse_key(args.key)
        if args.check == "export":
            export, checkpoint = args.files
            with open(export, encoding="utf-8") as rows, open(checkpoint, encoding="utf-8") as n:
                print(check_export(rows, n.read(), key))
        else:
            with open(args.files[0], encoding="utf-8") as file:
                bundle = json.load(file)
            check = check_inclusion if args.check == "prove" else check_consistency
            print(check(bundle, key))
    except KeyError as error:
        print(f"REFUSED: a record or proof lacks the field {error}", file=sys.stderr)
        return 1
    except (Refused, ValueError, OSError) as error:
        print(f"REFUSED: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
