"""Aggregates: `initial_state`, `evolve(state, event) -> state`, `decide(state, command) -> events`.

`decide` is pure and raises `DomainError` for a command the rules refuse, so a workflow may call it
in an update validator to reject bad input before anything is written.
"""
