"""The HTTP faces of the service."""
