"""Widgets of the reader. Each takes data as attributes and reports what the reader does as
messages; none of them touches the store."""
