"""IMR Desk: turn IMR determination letters into a verified, citable gold dataset."""

__version__ = "0.1.0"
