"""The carriers: their tracking feed."""
