"""The operations team's reports."""
