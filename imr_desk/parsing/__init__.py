"""Rules that read one part of a letter each; composed by ``imr_desk.parser``."""
