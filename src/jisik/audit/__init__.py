"""Records of who read what (the governance features build on these)."""
