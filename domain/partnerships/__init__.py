"""Configuration data: one TOML file per partnership, read by `domain.partnerships_config`."""
