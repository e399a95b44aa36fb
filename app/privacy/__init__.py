"""Data protection in one package: pseudonymised authors, retention purge, subject access
export and erasure, the per-session privacy settings and their CLI commands."""
