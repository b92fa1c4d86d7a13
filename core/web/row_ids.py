"""Row ids in page URLs."""

# Larger numbers are no row (and SQLite cannot even compare them): 404, not 500.
ROW_ID = "int(max=2147483647)"
