"""PDF documents from HTML templates (WeasyPrint): statements now; receipts, convenios and
letters later.

A document template extends `credits/pdf/base.html` (letter size, the institute's header,
"Página N de M" and the generation date in the page footer, DejaVu fonts everywhere, including
the @page margin boxes). Resources are read from the static finders only: a document never
reaches the network (the intranet has none to offer and a PDF must not depend on it).

Every PDF is rendered (docs/architecture.md, "PDF documents"):

* **outside database write transactions**: `html_to_pdf` refuses to run inside `atomic()`
  (a RuntimeError for the developer), so a slow document never holds row locks; a service that
  audits a document renders first and writes its audit row after;
* **in a child process with a time limit** (`PDF_TIMEOUT_SECONDS`, default 60 s, per document):
  WeasyPrint runs in a forked process that is killed when the limit passes, and the caller gets
  `PdfError` with a Spanish message; the HTML is also bounded (`PDF_MAX_HTML_BYTES`, 4 MB).
  Views wrap their PDF response in `pdf_view`, which shows that message on a page (HTTP 503).
"""

from __future__ import annotations

import functools
import mimetypes
import multiprocessing
import os
import time
from collections.abc import Callable, Sequence
from typing import Any
from urllib.parse import unquote, urlparse

from django.conf import settings
from django.contrib.staticfiles import finders
from django.db import connections
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

DEFAULT_TIMEOUT_SECONDS = 60
DEFAULT_MAX_HTML_BYTES = 4 * 2**20


class PdfError(Exception):
    """A document could not be produced; `str(exc)` is the Spanish message for the user."""


def _timeout() -> float:
    return float(getattr(settings, "PDF_TIMEOUT_SECONDS", DEFAULT_TIMEOUT_SECONDS))


def _max_html() -> int:
    return int(getattr(settings, "PDF_MAX_HTML_BYTES", DEFAULT_MAX_HTML_BYTES))


def in_write_transaction() -> bool:
    """An `atomic()` block is open on some connection (a test case's own wrapping blocks do not
    count: they stand for the autocommit of a real request)."""
    for connection in connections.all(initialized_only=True):
        if connection.in_atomic_block and any(
                not getattr(block, "_from_testcase", False) for block in connection.atomic_blocks):
            return True
    return False

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


def _render_in_child(htmls: Sequence[str], conn: Any) -> None:
    """The child process: render the documents one by one ("done", n) and send the PDF of all
    their pages ("pdf", bytes), or ("error", text). Never touches the database."""
    try:
        from weasyprint import HTML
        from weasyprint.text.fonts import FontConfiguration

        fonts = FontConfiguration()
        documents = []
        for n, html in enumerate(htmls, start=1):
            documents.append(HTML(string=html, base_url=_BASE_URL, url_fetcher=_url_fetcher())
                             .render(font_config=fonts))
            conn.send(("done", n))
        pages = [page for doc in documents for page in doc.pages]
        conn.send(("pdf", documents[0].copy(pages).write_pdf() if documents else b""))
    except BaseException as exc:  # noqa: BLE001 - reported to the parent, which raises PdfError
        conn.send(("error", f"{type(exc).__name__}: {exc}"[:500]))
    finally:
        conn.close()


def _too_slow(seconds: float) -> PdfError:
    return PdfError(_("El documento tardó más de {s} segundos en generarse y se detuvo. Si usa una "
                      "plantilla editable, revísela (quite etiquetas como {{% debug %}} o textos "
                      "enormes); si no, intente de nuevo o avise a Administración TI.").format(s=int(seconds)))


def html_documents_to_pdf(htmls: Sequence[str], *,
                          progress: Callable[[int], None] | None = None) -> bytes:
    """One PDF with the pages of every HTML document, rendered in a child process; each document
    has `PDF_TIMEOUT_SECONDS` (the clock restarts when one finishes). Raises PdfError."""
    if in_write_transaction():
        raise RuntimeError("PDFs are rendered outside database write transactions (credits/pdf.py)")
    limit = _max_html()
    for html in htmls:
        if len(html.encode()) > limit:
            raise PdfError(_("El documento es demasiado grande para convertirlo en PDF ({mb:.1f} MB de "
                             "contenido; el máximo es {max} MB). Revise la plantilla.").format(
                mb=len(html.encode()) / 2**20, max=limit // 2**20))
    timeout = _timeout()
    context = multiprocessing.get_context("fork")
    receiver, sender = context.Pipe(duplex=False)
    child = context.Process(target=_render_in_child, args=(list(htmls), sender), daemon=True)
    child.start()
    sender.close()
    try:
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0 or not receiver.poll(left):
                raise _too_slow(timeout)
            try:
                kind, payload = receiver.recv()
            except EOFError as exc:  # the child died without a word (killed, out of memory)
                raise PdfError(_("No se pudo generar el documento: el proceso que lo convertía en PDF "
                                 "terminó de forma inesperada. Intente de nuevo.")) from exc
            if kind == "done":
                deadline = time.monotonic() + timeout
                if progress is not None:
                    progress(payload)
            elif kind == "pdf":
                return payload
            else:
                raise PdfError(_("No se pudo generar el documento ({error}).").format(error=payload))
    finally:
        receiver.close()
        if child.is_alive():
            child.kill()
        child.join(5)
        if child.pid and child.exitcode is None:  # pragma: no cover - kill always ends it
            os.kill(child.pid, 9)


def html_to_pdf(html: str) -> bytes:
    """Render an HTML document to PDF bytes (child process, time limit; raises PdfError)."""
    return html_documents_to_pdf([html])


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


def refuse_blocked(user: Any, *people: Any) -> None:
    """A document about a person whose data is blocked (ARCO cancellation) is produced only for
    those who may see blocked data (the officer, the auditors): PdfError for everyone else."""
    from recupera.core.predicates import sees_person_data

    for person in people:
        if person is not None and not sees_person_data(user, person):
            raise PdfError(_("Los datos personales del acreditado están bloqueados (solicitud de "
                             "cancelación): este documento no se genera. Consulte a Protección "
                             "de Datos Personales."))


def pdf_view(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Decorate a view that answers a PDF: a PdfError becomes a page with its Spanish message
    (HTTP 503) instead of a server error."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except PdfError as exc:
            return render(request, "credits/pdf_error.html", {"message": str(exc)}, status=503)

    return wrapper
