"""caredesk: open-source customer service management."""

__version__ = "0.1.0"
