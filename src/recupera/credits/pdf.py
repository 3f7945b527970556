"""PDF documents from HTML templates (WeasyPrint): statements now; receipts, convenios and
letters later.

A document template extends `credits/pdf/base.html` (letter size, the institute's header,
"Página N de M" and the generation date in the page footer, DejaVu fonts everywhere, including
the @page margin boxes). Resources are read from the static finders only: a document never
reaches the network (the intranet has none to offer and a PDF must not depend on it).
"""

from __future__ import annotations

import mimetypes
from typing import Any
from urllib.parse import unquote, urlparse

from django.conf import settings
from django.contrib.staticfiles import finders
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string

# Relative URLs in the HTML resolve against this base; only /static/ paths are served.
_BASE_URL = "http://recupera.local/"


def _static_file(url: str) -> tuple[bytes, str]:
    """(content, mime type) of a STATIC_URL path found by the static finders; else refuse."""
    path = unquote(urlparse(url).path)
    static_url = "/" + settings.STATIC_URL.lstrip("/")
    if not path.startswith(static_url):
        raise ValueError(f"PDF resources must be static files, not {url!r}")
    found = finders.find(path[len(static_url):])
    if not found:
        raise FileNotFoundError(f"static file not found for the PDF: {path}")
    with open(found, "rb") as fh:
        return fh.read(), mimetypes.guess_type(found)[0] or "application/octet-stream"


def _url_fetcher() -> Any:
    """A WeasyPrint URL fetcher that serves static files and never reaches the network."""
    import weasyprint.urls as wurls

    if hasattr(wurls, "URLFetcherResponse"):  # WeasyPrint >= 67: fetcher classes
        class StaticOnlyFetcher(wurls.URLFetcher):  # type: ignore[misc, name-defined]
            def fetch(self, url: str, headers: Any = None) -> Any:
                if url.startswith("data:"):
                    return super().fetch(url, headers)
                body, mime = _static_file(url)
                return wurls.URLFetcherResponse(url, body, {"Content-Type": mime})

        return StaticOnlyFetcher(allowed_protocols=("http", "data"))

    def fetcher(url: str, *args: Any, **kwargs: Any) -> dict[str, Any]:  # older WeasyPrint
        if url.startswith("data:"):
            return wurls.default_url_fetcher(url)
        body, mime = _static_file(url)
        return {"string": body, "mime_type": mime, "redirected_url": url}

    return fetcher


def html_to_pdf(html: str) -> bytes:
    """Render an HTML document to PDF bytes."""
    from weasyprint import HTML
    from weasyprint.text.fonts import FontConfiguration

    fonts = FontConfiguration()
    document = HTML(string=html, base_url=_BASE_URL, url_fetcher=_url_fetcher())
    return document.write_pdf(font_config=fonts)


def render_pdf(template_name: str, context: dict[str, Any], *,
               request: HttpRequest | None = None) -> bytes:
    """Render a document template (extending credits/pdf/base.html) to PDF bytes."""
    return html_to_pdf(render_to_string(template_name, context, request=request))


def pdf_response(pdf: bytes, *, filename: str, inline: bool = True) -> HttpResponse:
    """An HTTP response carrying the PDF; `inline` opens it in the browser's viewer."""
    response = HttpResponse(pdf, content_type="application/pdf")
    disposition = "inline" if inline else "attachment"
    response["Content-Disposition"] = f'{disposition}; filename="{filename}"'
    response["Content-Length"] = str(len(pdf))
    return response
