"""Questions: the core domain (intake, queue, my questions); its code still lives in
app/api.py, app/queue.py and app/my_questions.py (issue 16 step 9 moves it here)."""
