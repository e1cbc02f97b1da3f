"""Imported into the extraction pool's forkserver, and only there, for its effect: the
forkserver dies with the process that started it (see ``worker_lifetime``)."""

from archive.worker_lifetime import die_with_parent

die_with_parent()
