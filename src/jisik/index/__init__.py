"""Search indexes: the Index protocol and its backends, picked by name."""
