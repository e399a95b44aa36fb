"""What the app and the channel code share, so neither imports the other (issue 16).

`ports` imports neither `app` nor `integrations` (tests/test_import_contract.py): the
clock, the message types a channel hands to the core, and the cleaned-text input types.
"""
