"""Helpers shared by test files (a test file imports helpers from here, never from another test
file): the cast and factories, events to ingest, browsers."""
