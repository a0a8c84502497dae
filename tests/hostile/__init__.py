"""Adversarial cases (issue 14): hostile files and invocations, built at run time."""
