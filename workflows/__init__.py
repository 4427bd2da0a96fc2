"""Temporal workflows: deterministic, deciding with domain/, recording through activities.

Empty on purpose: the sandbox runs this for every workflow run, so it imports nothing
(the list of every workflow is `workflows.registry`)."""
