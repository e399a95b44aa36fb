"""Sessions: creation from an agenda, role keys (stored as hashes), key rotation, and the
session's own settings (language, captions link)."""
