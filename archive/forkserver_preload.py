"""Imported into the extraction pool's forkserver, and only there, for its effect: the
forkserver dies with the process that started it (see ``worker_lifetime``), and forks its
workers with the page objects loaded."""

from archive.extraction import load_page_objects
from archive.worker_lifetime import die_with_parent

die_with_parent()
load_page_objects()
