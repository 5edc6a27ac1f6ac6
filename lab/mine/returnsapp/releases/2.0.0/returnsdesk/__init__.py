"""Returns Desk: customer returns (RMAs) for a warehouse: requests, parcel receiving, grading,
refunds, restocking, carrier labels and the carriers' tracking feed."""

__version__ = "2.0.0"
