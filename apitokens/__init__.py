"""Personal API tokens: several per user, each with a name, scopes (access.scopes) and an
optional expiry, stored as a SHA-256 hash. `mint` creates them, `check` finds the live one for a
presented secret, `authentication` is the DRF class, `forms` the one form (web and API)."""
