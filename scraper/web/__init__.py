"""``newsarchive serve``: a local web app over one or more output directories, read-only.

Starlette and Jinja2 (autoescape on), pages rendered on the server that work without
JavaScript; everything a page uses is served by the app itself. The app reads through the
same data layer as ``newsarchive search/list/show/history`` (``archive/search``) and never
writes into an output directory.
"""
