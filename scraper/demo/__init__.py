"""A small Press TV-like news site served on loopback: several mirrors, each of which can be
made to fail, be seized or stall. ``newsarchive demo`` crawls it to show the tool without the
internet; the tests and benchmarks crawl it as their local site."""
