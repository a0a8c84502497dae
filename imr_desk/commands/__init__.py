"""Thin command-line adapters over the library modules, one per sub-command."""
