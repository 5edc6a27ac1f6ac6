"""chatrelay: a Node team-chat service whose faults are its own code (docs/corpus.md)."""
