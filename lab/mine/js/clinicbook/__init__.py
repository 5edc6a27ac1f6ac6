"""clinicbook: a Node clinic-booking service whose faults are its own code (docs/corpus.md)."""
