"""The core that knows no domain: the typed registration (`domain.py`) and the task set."""
