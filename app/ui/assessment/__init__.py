"""校本考核 page: grading, the reviewer's queue, 帮扶 and excellent cases."""
