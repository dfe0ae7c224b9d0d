"""Air-gapped activation (docs/OFFLINE.md): the API endpoint and the page for people with only a browser."""

from __future__ import annotations

import html
import json
from importlib import resources
from string import Template
from typing import Annotated, Any
from urllib.parse import parse_qs

from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import HTMLResponse
from pydantic import ValidationError

from server.deps import CallerDep, ClientIpDep, ClockDep, ContextDep, SessionDep
from server.errors import ApiError
from server.languages import HTML_TAGS, is_rtl, negotiate
from server.schemas.offline import OfflineRequestIn, OfflineResponseOut
from server.services import auth, offline
from server.services.activation import Caller
from server.services.wording import say

router = APIRouter(tags=["offline"])
page_router = APIRouter(tags=["offline"])  # the browser page, at the site root

MAX_FORM_BYTES = 64 * 1024  # a request file is about 1 kB


@router.post("/offline-activations", response_model=OfflineResponseOut, response_model_exclude_none=True)
def submit(body: OfflineRequestIn, session: SessionDep, ctx: ContextDep, clock: ClockDep, caller: CallerDep) -> Any:
    """Answer an offline machine's request file with its response file, for the signed-in (receiving) account.

    The IP rules see the IP of the machine uploading the file, not of the offline one."""
    return offline.submit(session, ctx.settings, ctx.keys, caller=caller, request=body, now=clock.now())


# ---------------------------------------------------------------------------------------------- browser page


_PAGE_TEXTS = ("title", "intro", "file", "paste", "login", "password", "org", "org_hint", "submit")


def _language(request: Request) -> str:
    return negotiate(request.headers.get("accept-language"))


def _page(lang: str, *, error: str = "", request: str = "", login: str = "", org_id: str = "") -> str:
    """The page in ``lang`` (the browser's Accept-Language), right to left for Persian."""
    template = Template(resources.files("server.api").joinpath("offline_page.html").read_text("utf-8"))
    error_html = f'<div class="error" role="alert">{error}</div>' if error else ""
    texts = {f"t_{name}": html.escape(say(f"offline.{name}", lang)) for name in _PAGE_TEXTS}
    return template.substitute(
        html_lang=HTML_TAGS[lang],
        dir="rtl" if is_rtl(lang) else "ltr",
        error=error_html,
        request=html.escape(request),
        login=html.escape(login),
        org_id=html.escape(org_id),
        **texts,
    )


def _error_text(exc: ApiError, lang: str) -> str:
    # The server's message is English: only an English page shows it; the others word the refusal themselves.
    reason = exc.message if lang == "en" else say("offline.refused", lang)
    text = f"{html.escape(reason)} ({html.escape(exc.code)})"
    if "attempts_left" in exc.details:
        text += " · " + html.escape(say("offline.attempts_left", lang, count=int(exc.details["attempts_left"])))
    return text


async def _form(request: Request) -> dict[str, str]:
    # A plain url-encoded post (the page's script reads the file into the text box): no multipart dependency.
    body = (await request.body())[:MAX_FORM_BYTES]
    return {k: v[0] for k, v in parse_qs(body.decode("utf-8", "replace"), keep_blank_values=True).items()}


FormDep = Annotated[dict[str, str], Depends(_form)]


@page_router.get("/offline", response_class=HTMLResponse, include_in_schema=False)
def offline_page(request: Request) -> HTMLResponse:
    return HTMLResponse(_page(_language(request)))


@page_router.post("/offline", include_in_schema=False)
def offline_page_submit(
    page_request: Request, form: FormDep, session: SessionDep, ctx: ContextDep, clock: ClockDep, ip: ClientIpDep
) -> Response:
    """Sign in for this one upload, answer the request like the API does, and offer the response as a download."""
    text, login, org_text = form.get("request", ""), form.get("login", "").strip(), form.get("org_id", "").strip()
    lang = _language(page_request)

    def again(error: str, status: int) -> HTMLResponse:
        return HTMLResponse(_page(lang, error=error, request=text, login=login, org_id=org_text), status)

    try:
        request = OfflineRequestIn.model_validate_json(text)
    except ValidationError:
        return again(html.escape(say("offline.bad_file", lang)), 422)
    if org_text:
        try:
            # Validated like the file's own org_id: a digit string the API would refuse must not reach the database.
            request = OfflineRequestIn.model_validate({**request.model_dump(), "org_id": org_text})
        except ValidationError:
            return again(html.escape(say("offline.bad_org", lang)), 422)
    now = clock.now()
    try:
        tokens = auth.login(
            session, login=login, password=form.get("password", ""), client_ip=ip, now=now, settings=ctx.settings
        )
    except ApiError as exc:
        return again(_error_text(exc, lang), exc.status)
    try:
        answer = offline.submit(
            session, ctx.settings, ctx.keys, caller=Caller(tokens.account, ip), request=request, now=now
        )
    except ApiError as exc:
        session.rollback()
        return again(_error_text(exc, lang), exc.status)
    finally:
        # The page needs no lasting sign-in: the tokens issued for this upload are revoked at once.
        auth.logout(
            session, account=tokens.account, access_token=tokens.access_token, refresh_token=None, now=clock.now()
        )
        session.commit()
    content = OfflineResponseOut.model_validate(answer).model_dump(mode="json", exclude_none=True)
    filename = f"offline-response-{request.action}-{request.nonce[:8]}.json"
    return Response(
        json.dumps(content, ensure_ascii=False, indent=2).encode("utf-8"),
        media_type="application/json",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
