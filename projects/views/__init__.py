"""Project pages and fragments: adapters that parse, call one selector or service, and render."""
