"""The Markdown interchange (docs/interchange.md): read a file into a plan, and export an article.

``read`` takes a whole file (its size, characters and citations) and calls ``front_matter``
(the YAML fields and references) and ``body`` (sections and claims); ``plan`` holds what they
read and how an update pairs claims; ``export`` writes an article back in the same format.
"""
