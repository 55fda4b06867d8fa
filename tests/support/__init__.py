"""Helpers the test suite shares: local services and reference data."""
