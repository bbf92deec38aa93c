"""mockaudit — rehearse a SOC 2 audit offline, from the terminal."""

__version__ = "0.1.0"
