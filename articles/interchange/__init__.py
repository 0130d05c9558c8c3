"""The Markdown interchange (DESIGN §7): read a file into a plan, and export an article."""
