"""``newsarchive serve``: the archive in a browser, read-only (``scraper/web``).

Listens on 127.0.0.1 unless told otherwise; uvicorn serves the Starlette app. Exit status:
0 when stopped (Ctrl-C), 2 for an output directory that is not there, a port in use or an
address that cannot be bound.
"""

from __future__ import annotations

import argparse
import errno
import ipaddress
import socket
import sys
import zipfile
from pathlib import Path
from typing import Any

from archive.layout import DEFAULT_OUT
from scraper.cli.arguments import whole_number
from scraper.exit_status import EXIT_OK, UsageError

LOOPBACK_NAMES = ["127.0.0.1", "localhost", "[::1]", "::1"]


def add_command(commands: Any) -> None:
    serve = commands.add_parser(
        "serve",
        help="read the archive in a browser (a local web app)",
        description="Serve a read-only web app over DIR: the sites and their runs, search "
        "with facets, each article with its versions, their differences, its captures per "
        "mirror and a citation per version, the captured pages themselves (without their "
        "scripts) and charts of the archive over time. Nothing is written into DIR.",
        epilog="Examples:\n"
        "  newsarchive serve --out data                 then open http://127.0.0.1:8080/\n"
        "  newsarchive serve --out worker1 --out worker2 --port 9000\n"
        "  newsarchive serve --out data --pywb http://127.0.0.1:8081/my-coll",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    serve.add_argument(
        "--out",
        type=Path,
        action="append",
        metavar="DIR",
        help=f"an output directory of crawls or replays (default: ./{DEFAULT_OUT}); give it "
        "again to read several as one archive",
    )
    serve.add_argument(
        "--port", type=whole_number(0), default=8080, metavar="N", help="port (default 8080)"
    )
    serve.add_argument(
        "--bind",
        default="127.0.0.1",
        metavar="ADDRESS",
        help="address to listen on (default 127.0.0.1: this machine only)",
    )
    serve.add_argument(
        "--pywb",
        metavar="URL",
        help="a pywb collection serving this archive's WACZ: captures link to it too",
    )
    serve.add_argument(
        "--wacz",
        type=Path,
        action="append",
        default=[],
        metavar="FILE",
        help="a WACZ of this archive (newsarchive export --wacz) that each capture offers for "
        "full-fidelity replay in ReplayWeb.page or pywb; may be given several times",
    )
    serve.set_defaults(run=run_serve)


def run_serve(args: argparse.Namespace) -> int:
    outs = args.out or [Path(DEFAULT_OUT)]
    missing = [out for out in outs if not out.is_dir()]
    if missing:
        raise UsageError(f"--out {missing[0]}: no such directory")
    if args.port > 65535:
        raise UsageError(f"--port {args.port}: a port is 0 to 65535")
    if args.pywb and not args.pywb.startswith(("http://", "https://")):
        raise UsageError(f"--pywb {args.pywb}: give the collection's http:// URL")
    for wacz in args.wacz:
        if not wacz.is_file() or not zipfile.is_zipfile(wacz):
            raise UsageError(
                f"--wacz {wacz}: not a WACZ file (newsarchive export --wacz makes one)"
            )
    sock = _listen(args.bind, args.port)
    import uvicorn

    from scraper.web.app import create_app

    loopback = _is_loopback(args.bind)
    app = create_app(
        outs,
        pywb=args.pywb,
        waczs=args.wacz,
        allowed_hosts=LOOPBACK_NAMES if loopback else None,
    )
    host, port = sock.getsockname()[:2]
    shown = f"[{host}]" if ":" in host else host
    print(f"newsarchive serve: http://{shown}:{port}/ (Ctrl-C stops)", file=sys.stderr, flush=True)
    if not loopback:
        print(
            f"newsarchive serve: listening on {args.bind}: other machines can read this archive",
            file=sys.stderr,
        )
    config = uvicorn.Config(app, log_level="warning", access_log=False, server_header=False)
    server = uvicorn.Server(config)
    try:
        server.run(sockets=[sock])
    except KeyboardInterrupt:
        pass
    return EXIT_OK


def _listen(bind: str, port: int) -> socket.socket:
    try:
        family = socket.AF_INET6 if ":" in bind else socket.AF_INET
        sock = socket.socket(family, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((bind.strip("[]"), port))
        sock.listen(128)
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:
            raise UsageError(f"--port {port}: already in use on {bind}") from None
        raise UsageError(f"--bind {bind}: cannot listen there ({exc.strerror or exc})") from None
    sock.set_inheritable(True)
    return sock


def _is_loopback(bind: str) -> bool:
    if bind == "localhost":
        return True
    try:
        return ipaddress.ip_address(bind.strip("[]")).is_loopback
    except ValueError:
        return False
