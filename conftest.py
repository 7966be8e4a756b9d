"""Test fixtures shared by every package's tests live in liandong.testing."""
pytest_plugins = ["liandong.testing"]
