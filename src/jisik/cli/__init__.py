"""The command line: thin commands over ``service.Jisik``."""
