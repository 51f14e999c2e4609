"""Text generators (language models) that a generative answerer can use."""
