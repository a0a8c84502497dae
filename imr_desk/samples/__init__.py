"""Synthetic IMR letters with their expected records, for tests, the demo and evaluation."""

from imr_desk.samples.generator import generate_letters, generate_record, write_sample
from imr_desk.samples.layouts import RenderInfo, render_letter

__all__ = ["RenderInfo", "generate_letters", "generate_record", "render_letter", "write_sample"]
