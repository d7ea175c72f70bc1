"""SIPRI Trade Register exports as `arms_transfer` ties between governments (docs/datasets.md)."""
