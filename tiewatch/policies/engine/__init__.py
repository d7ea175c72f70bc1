"""Pure-Python policy engine (no Django): schema, loader, compiler, screening, naive baseline."""

from tiewatch.policies.engine.compiler import Engine, compile_policies
from tiewatch.policies.engine.loader import load_policies, load_policy_file, load_policy_text
from tiewatch.policies.engine.schema import Instrument, Rule
from tiewatch.policies.engine.screen import Evidence, Finding, verdict_of

__all__ = [
    "Engine",
    "Evidence",
    "Finding",
    "Instrument",
    "Rule",
    "compile_policies",
    "load_policies",
    "load_policy_file",
    "load_policy_text",
    "verdict_of",
]
