"""The public reader site (DESIGN §4): views, the reads they need, rendering and the page cache."""
