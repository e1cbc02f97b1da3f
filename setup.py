"""For tools that still run ``setup.py`` (scrapyd-deploy builds its egg with ``setup.py
bdist_egg``); everything is declared in pyproject.toml."""

from setuptools import setup

setup()
