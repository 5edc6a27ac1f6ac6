"""HTTP faces: the shop's returns API (Flask) and the back office (Django)."""
