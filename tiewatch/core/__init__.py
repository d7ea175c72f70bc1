"""Shared plain-Python pieces (no Django import): errors, plain records, partial dates."""
