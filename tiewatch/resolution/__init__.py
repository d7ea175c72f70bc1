"""Entity resolution: which records name the same real body, decided with explanations.

`engine/` is plain Python (normalisation tables, blocking, scoring); the rest of the app stores
the decisions people make and applies them to the registry.
"""
