"""Dense embedders: a small protocol and one module per provider."""
