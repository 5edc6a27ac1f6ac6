"""Clients of the payment providers."""
