"""Returns: opening one, the policy window, grading."""
