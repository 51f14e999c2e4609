"""Conversations: follow-up questions understood in context, turns kept per user."""
