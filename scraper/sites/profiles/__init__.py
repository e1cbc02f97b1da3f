"""The built-in site profiles (``*.toml``). A package, not a bare directory, so that
``importlib.resources`` finds them inside a zipped egg too (scrapyd deploys eggs)."""
