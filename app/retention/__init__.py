"""Data protection: retention purge, subject access export and erasure, privacy settings."""
