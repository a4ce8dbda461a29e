"""The only code that reads or writes the xAPI tables."""
