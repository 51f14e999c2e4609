"""PII evaluation data written by the project: the seeded synthetic set, the held-out set
(written without reading the rules) and span-exact scoring. Kept out of the installed package:
they are evaluation data, not product code."""
