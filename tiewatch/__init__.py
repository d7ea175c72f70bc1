"""tiewatch: sourced records of ties between local police and foreign forces, screened against local policies."""

__version__ = "0.1.0"
