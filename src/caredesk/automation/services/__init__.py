"""Automation services: rules, the engine that runs them, webhooks, and timed work."""
