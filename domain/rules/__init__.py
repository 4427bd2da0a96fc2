"""Governance rules, one small module per kind of rule, each citing its source clause."""
