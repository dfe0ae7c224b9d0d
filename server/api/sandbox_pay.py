"""The sandbox payment provider's pay page, at the site root: what the payer sees, and the pay buttons.

The page speaks the browser's language (``Accept-Language``: zh_CN, en, vi, fa; right to left for fa), or the
language of the payment's market when the browser names none of those; it offers the market's methods.
"""

from __future__ import annotations

import html
from urllib.parse import parse_qs

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from starlette.concurrency import run_in_threadpool

from server.api.payments import PaymentId
from server.deps import ContextDep, PublicUrlDep
from server.errors import ApiError
from server.languages import HTML_TAGS, is_rtl, negotiate
from server.services import markets, sandbox_provider
from server.services.catalogue import LICENCE_KINDS, SKUS
from server.services.wording import method_name, say

router = APIRouter(tags=["payments"])


def _language(request: Request, currency: str | None = None) -> str:
    fallback = markets.LANGUAGES[markets.market_of_currency(currency)] if currency else "zh_CN"
    return negotiate(request.headers.get("accept-language"), fallback)


@router.get("/pay/{payment_id}", response_class=HTMLResponse, include_in_schema=True)
def pay_page(payment_id: PaymentId, request: Request, ctx: ContextDep, base: PublicUrlDep) -> HTMLResponse:
    try:
        view = sandbox_provider.pay_page_view(ctx, payment_id)
    except ApiError:
        lang = _language(request)
        state = f"<p class='state'>{html.escape(say('pay.not_found', lang))}</p>"
        return HTMLResponse(_page(say("pay.not_found", lang), state, lang), 404)
    lang = _language(request, view.payment.currency)
    return HTMLResponse(_render(view, sandbox_provider.pay_url(base, payment_id), lang))


@router.post("/pay/{payment_id}", response_class=HTMLResponse)
async def pay_button(payment_id: PaymentId, request: Request, ctx: ContextDep, base: PublicUrlDep) -> HTMLResponse:
    # A plain form post (no python-multipart dependency): method=one of the payment's methods.
    form = parse_qs((await request.body())[:1024].decode("utf-8", "replace"))
    method = (form.get("method") or [""])[0]
    try:
        # Off the event loop: the provider's HTTP callback comes back into this same server.
        outcome = await run_in_threadpool(sandbox_provider.press_pay, ctx, payment_id, method, base)
        view = await run_in_threadpool(sandbox_provider.pay_page_view, ctx, payment_id)
    except ApiError as exc:
        lang = _language(request)
        status = exc.status if exc.status in (400, 404) else 400
        state = f"<p class='state'>{html.escape(exc.code)}</p>"
        return HTMLResponse(_page(say("pay.failed", lang), state, lang), status)
    lang = _language(request, view.payment.currency)
    return HTMLResponse(_render(view, sandbox_provider.pay_url(base, payment_id), lang, outcome=outcome))


def _render(view: sandbox_provider.PayPageView, url: str, lang: str, outcome: str | None = None) -> str:
    p = view.payment
    currency = p.currency
    rows = "".join(
        "<tr><td>{name}</td><td>{ledger_year}</td><td>×{qty}</td><td>{amount}</td></tr>".format(
            name=html.escape(SKUS[i["sku"]].name(lang)),
            ledger_year=html.escape(
                say("pay.whole_licence", lang)
                if i["kind"] in LICENCE_KINDS
                else say("pay.ledger_year", lang, ledger=f"{i['code']} {i['name']}", year=i["fiscal_year"])
            ),
            qty=i["quantity"],
            amount=html.escape(markets.format_amount(i["amount_minor"], currency)),
        )
        for i in view.items
    )
    if view.renewal_lines:
        headers = ("pay.company", "pay.tax_id", "pay.renewal", "pay.new_expiry")
        rows = "<tr>" + "".join(f"<th>{html.escape(say(h, lang))}</th>" for h in headers) + "</tr>"
        rows += "".join(
            "<tr class='renewal'><td>{company}</td><td>{tax_id}</td><td>{months}</td>"
            "<td>{expiry:%Y-%m-%d}</td></tr>".format(
                company=html.escape(r["company"]),
                tax_id=html.escape(r["tax_id"]),
                months=html.escape(say("pay.months", lang, months=r["months"])),
                expiry=r["new_expiry"],
            )
            for r in view.renewal_lines
        )
    if view.state in ("paid", "refunded"):
        action = f"<p class='state paid' id='state'>{html.escape(say('pay.paid', lang))}</p>"
    elif view.state == "expired":
        action = f"<p class='state expired' id='state'>{html.escape(say('pay.expired', lang))}</p>"
    else:
        failed = ""
        if outcome and outcome not in ("paid", "pending"):
            failed = f"<p class='state expired'>{html.escape(say('pay.failed', lang))} · {html.escape(outcome)}</p>"
        buttons = "".join(
            f"<button class='{m}' name='method' value='{m}'>{html.escape(method_name(m, lang))}</button>"
            for m in markets.methods_for_currency(currency)
        )
        action = (
            f"{failed}<p>{html.escape(say('pay.time_left', lang))}: "
            f"<span id='countdown' data-remaining='{view.remaining_s}'>"
            f"{view.remaining_s // 60:02d}:{view.remaining_s % 60:02d}</span></p>"
            f"<p class='choose'>{html.escape(say('pay.choose', lang))}</p>"
            f"<form method='post' id='methods'>{buttons}</form>"
        )
    body = (
        f"<p class='amount' id='amount'>{html.escape(markets.format_amount(p.amount_minor, currency))}</p>"
        f"<p class='order'>{html.escape(say('pay.order', lang, id=view.order.id))}</p>"
        f"<table>{rows}</table>{action}{_qr_svg(url)}"
        f"<p class='sandbox'>{html.escape(say('pay.sandbox', lang))}</p>"
    )
    return _page(say("pay.title", lang), body, lang)


def _qr_svg(url: str) -> str:
    try:
        import segno
    except ImportError:  # the QR is a convenience on the page; the link below it works alone
        return ""
    svg = segno.make(url, error="m").svg_inline(scale=3)
    # The link reads left to right on a right-to-left page too.
    return f"<div class='qr'>{svg}<p dir='ltr'>{html.escape(url)}</p></div>"


_STYLE = """
body{font-family:"Microsoft YaHei","WenQuanYi Micro Hei","Vazirmatn","Tahoma",sans-serif;background:#f2f3f5;margin:0}
main{max-width:520px;margin:32px auto;background:#fff;border-radius:8px;padding:24px;box-shadow:0 1px 4px #0002}
h1{font-size:18px;margin:0 0 12px} .amount{font-size:32px;color:#e4393c;margin:8px 0}
table{width:100%;border-collapse:collapse;font-size:14px} td,th{padding:6px 4px;border-bottom:1px solid #eee}
th{text-align:start;font-weight:normal;color:#888;font-size:12px}
button{display:block;width:100%;padding:12px;margin:10px 0;border:0;border-radius:6px;color:#fff;font-size:16px}
.wechat{background:#07c160} .alipay{background:#1677ff} .vietqr{background:#0a3d91} .momo{background:#a50064}
.vnpay{background:#005baa} .shaparak{background:#0f7b6c} .state{font-size:18px} .paid{color:#07c160}
.expired{color:#e4393c} .sandbox{color:#888;font-size:12px} .qr{text-align:center;font-size:11px;color:#666}
"""

_SCRIPT = """
const c=document.getElementById('countdown');
if(c){let s=+c.dataset.remaining;setInterval(()=>{s=Math.max(0,s-1);
c.textContent=String(Math.floor(s/60)).padStart(2,'0')+':'+String(s%60).padStart(2,'0');
if(s===0){location.reload();}},1000);}
"""


def _page(title: str, body: str, lang: str) -> str:
    direction = "rtl" if is_rtl(lang) else "ltr"
    return (
        f"<!doctype html><html lang='{HTML_TAGS[lang]}' dir='{direction}'><head><meta charset='utf-8'>"
        "<meta name='viewport' content='width=device-width,initial-scale=1'>"
        f"<title>{html.escape(title)}</title><style>{_STYLE}</style></head>"
        f"<body><main><h1>{html.escape(title)}</h1>{body}</main><script>{_SCRIPT}</script></body></html>"
    )
