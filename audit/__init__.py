"""The audit read side: the event log replayed, told as a trail and exported, without Temporal."""
