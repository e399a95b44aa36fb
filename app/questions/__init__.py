"""Questions: the core domain (intake, the moderation queue, merges, upvotes, the audit
trail); the caller's own questions are app/my_questions.py."""
