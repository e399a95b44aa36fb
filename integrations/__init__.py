"""Channels: one module per channel, all behind one connector interface."""
