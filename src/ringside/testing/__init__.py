"""Helpers for the project's own tests (real servers, no mocks); not used at run time."""
