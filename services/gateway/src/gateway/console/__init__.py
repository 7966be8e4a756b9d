"""The web console (工作台): static HTML, ES modules, CSS and a vendored ECharts, served at / and /console/."""
from __future__ import annotations

from pathlib import Path

from flask import Blueprint, Response, redirect, request, send_from_directory

STATIC = Path(__file__).resolve().parent / "static"

# The page holds no data and talks only to its own origin: everything else is refused by the browser.
CSP = ("default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; "
       "font-src 'self'; connect-src 'self'; manifest-src 'self'; base-uri 'none'; form-action 'self'; "
       "frame-ancestors 'none'")

# The paths the console serves without a token. "/" must never be listed as a public prefix: liandong.auth
# treats it as a prefix of every path.
PUBLIC_PREFIXES = ("/console",)


def _headers(resp: Response, cache: str) -> Response:
    resp.headers["Content-Security-Policy"] = CSP
    resp.headers["Cache-Control"] = cache
    resp.headers["X-Content-Type-Options"] = "nosniff"
    resp.headers["Referrer-Policy"] = "no-referrer"
    return resp


def index() -> Response:
    return _headers(send_from_directory(STATIC, "index.html", mimetype="text/html"), "no-cache")


def resident_index() -> Response:
    """The residents' door (居民端, #22): its own page for phones; its modules live under /console/resident/."""
    return _headers(send_from_directory(STATIC / "resident", "index.html", mimetype="text/html"), "no-cache")


def asset(filename: str) -> Response:
    mimetype = "text/javascript" if filename.endswith(".js") else None
    resp = send_from_directory(STATIC, filename, mimetype=mimetype, max_age=0)
    # Vendored files never change under one name; our own modules are revalidated on every load.
    return _headers(resp, "public, max-age=86400" if filename.startswith("vendor/") else "no-cache")


def serve(path: str) -> Response | None:
    """The console's answer for a GET of `path`, or None when the path is not the console's."""
    if path in ("/", "/console"):
        return redirect("/console/", code=302)
    if path == "/console/":
        return index()
    if path == "/resident":
        return redirect("/resident/", code=302)
    if path == "/resident/":
        return resident_index()
    if path.startswith("/console/"):
        return asset(path[len("/console/"):])
    return None


def blueprint() -> Blueprint:
    bp = Blueprint("console", __name__)

    def _early():
        """Static files are answered before token checks and the per-IP budget of the public API endpoints:
        they carry no data, and one page load fetches a dozen of them."""
        if request.method in ("GET", "HEAD"):
            return serve(request.path)
        return None

    @bp.record_once
    def _install(state):
        state.app.before_request_funcs.setdefault(None, []).insert(0, _early)

    # The same answers as routes, so the URL map (and url_for) knows them.
    bp.add_url_rule("/", "root", lambda: serve("/"))
    bp.add_url_rule("/console", "bare", lambda: serve("/console"))
    bp.add_url_rule("/console/", "index", index)
    bp.add_url_rule("/resident/", "resident", resident_index)
    bp.add_url_rule("/console/<path:filename>", "asset", asset)
    return bp
