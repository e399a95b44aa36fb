"""The rapporteur's notes and highlights, and the session report built from everything."""
