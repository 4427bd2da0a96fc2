"""Concordat's pure domain model.

Everything here is plain Python and pydantic: no I/O, no clock, no randomness, so that Temporal
workflows can decide with it inside their sandbox and auditors' replays fold with it exactly.
Times and identifiers are always passed in by the caller.
"""
