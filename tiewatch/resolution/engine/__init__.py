"""The matching engine, importable without Django: names in, ranked explained candidates out."""
