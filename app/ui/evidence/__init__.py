"""证据材料 page: each teacher's required items and files, and what is missing school-wide."""
