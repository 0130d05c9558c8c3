"""The public reader site (docs/reader.md): views, the reads they need, rendering, the page cache,
the shared caches in front (edge) and the token-free check of its one form (same_origin)."""
