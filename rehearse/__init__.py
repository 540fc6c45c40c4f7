"""rehearse: rehearse a spoken job interview against your own prepared answers."""

__version__ = "0.1.0"
