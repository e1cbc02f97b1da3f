"""The parts of :mod:`archive.warc_reader`, one concern per module; import from there."""
