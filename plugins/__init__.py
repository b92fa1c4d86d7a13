"""Brand plugins shipped with Red Armband, installed through entry points
exactly like a station team's own package."""
