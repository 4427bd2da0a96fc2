"""The command line acts as the local account that runs it: the shipped partnerships make any
local account (`local:*`) their secretariat, which records for a partner only on its behalf,
giving why (`--on-behalf-of REASON`, docs/rules.md A4)."""

LETTER = "signed letter received from the partner"
"""The reason the tests' operator gives for everything recorded for a partner."""

FOR = ("--on-behalf-of", LETTER)
"""The option that records a command for the partner it names."""
