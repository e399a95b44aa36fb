"""Polls: prepared in advance, opened, voted on from phones, results live on every screen."""
