"""ssekg: the open knowledge graph of the social and solidarity economy in Serbia."""

__version__ = "0.1.0"
