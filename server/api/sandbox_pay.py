"""The sandbox payment provider's pay page, at the site root: what the payer sees, and the pay buttons."""

from __future__ import annotations

import html
from urllib.parse import parse_qs

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from starlette.concurrency import run_in_threadpool

from server.api.payments import PaymentId
from server.deps import ContextDep, PublicUrlDep
from server.errors import ApiError
from server.services import sandbox_provider
from server.services.catalogue import SKUS, yuan

router = APIRouter(tags=["payments"])


@router.get("/pay/{payment_id}", response_class=HTMLResponse, include_in_schema=True)
def pay_page(payment_id: PaymentId, ctx: ContextDep, base: PublicUrlDep) -> HTMLResponse:
    try:
        view = sandbox_provider.pay_page_view(ctx, payment_id)
    except ApiError:
        return HTMLResponse(_page("支付单不存在 · Payment not found", "<p class='state'>支付单不存在</p>"), 404)
    return HTMLResponse(_render(view, sandbox_provider.pay_url(base, payment_id)))


@router.post("/pay/{payment_id}", response_class=HTMLResponse)
async def pay_button(payment_id: PaymentId, request: Request, ctx: ContextDep, base: PublicUrlDep) -> HTMLResponse:
    # A plain form post (no python-multipart dependency): method=wechat|alipay.
    form = parse_qs((await request.body())[:1024].decode("utf-8", "replace"))
    method = (form.get("method") or [""])[0]
    try:
        # Off the event loop: the provider's HTTP callback comes back into this same server.
        outcome = await run_in_threadpool(sandbox_provider.press_pay, ctx, payment_id, method, base)
        view = await run_in_threadpool(sandbox_provider.pay_page_view, ctx, payment_id)
    except ApiError as exc:
        status = exc.status if exc.status in (400, 404) else 400
        return HTMLResponse(_page("支付失败 · Payment failed", f"<p class='state'>{html.escape(exc.code)}</p>"), status)
    return HTMLResponse(_render(view, sandbox_provider.pay_url(base, payment_id), outcome=outcome))


def _render(view: sandbox_provider.PayPageView, url: str, outcome: str | None = None) -> str:
    p = view.payment
    rows = "".join(
        "<tr><td>{name}</td><td>账套 {ledger} · {year} 年度</td><td>×{qty}</td><td>{amount}</td></tr>".format(
            name=html.escape(SKUS[i["sku"]].name_zh),
            ledger=html.escape(f"{i['code']} {i['name']}"),
            year=i["fiscal_year"],
            qty=i["quantity"],
            amount=yuan(i["amount_minor"]),
        )
        for i in view.items
    )
    if view.renewal_lines:
        rows = "<tr><th>公司 Company</th><th>税号 Tax ID</th><th>续费 Renewal</th><th>新到期日 New expiry</th></tr>"
        rows += "".join(
            "<tr class='renewal'><td>{company}</td><td>{tax_id}</td><td>{months} 个月 · months</td>"
            "<td>{expiry:%Y-%m-%d}</td></tr>".format(
                company=html.escape(r["company"]),
                tax_id=html.escape(r["tax_id"]),
                months=r["months"],
                expiry=r["new_expiry"],
            )
            for r in view.renewal_lines
        )
    if view.state in ("paid", "refunded"):
        action = "<p class='state paid' id='state'>支付成功 · Paid — 请返回软件,系统将自动认证。</p>"
    elif view.state == "expired":
        action = "<p class='state expired' id='state'>支付已过期 · Payment expired</p>"
    else:
        failed = ""
        if outcome and outcome not in ("paid", "pending"):
            failed = f"<p class='state expired'>支付失败 · {html.escape(outcome)}</p>"
        action = (
            f"{failed}<p>剩余支付时间 · Time left: <span id='countdown' data-remaining='{view.remaining_s}'>"
            f"{view.remaining_s // 60:02d}:{view.remaining_s % 60:02d}</span></p>"
            "<form method='post'>"
            "<button class='wechat' name='method' value='wechat'>微信支付 · WeChat Pay</button>"
            "<button class='alipay' name='method' value='alipay'>支付宝 · Alipay</button>"
            "</form>"
        )
    body = (
        f"<p class='amount' id='amount'>{yuan(p.amount_minor)}</p>"
        f"<p class='order'>订单号 Order #{view.order.id}</p>"
        f"<table>{rows}</table>{action}{_qr_svg(url)}"
        f"<p class='sandbox'>沙箱支付 · Sandbox provider: no real money moves.</p>"
    )
    return _page("收银台 · Checkout", body)


def _qr_svg(url: str) -> str:
    try:
        import segno
    except ImportError:  # the QR is a convenience on the page; the link below it works alone
        return ""
    svg = segno.make(url, error="m").svg_inline(scale=3)
    return f"<div class='qr'>{svg}<p>{html.escape(url)}</p></div>"


_STYLE = """
body{font-family:"Microsoft YaHei","WenQuanYi Micro Hei",sans-serif;background:#f2f3f5;margin:0}
main{max-width:520px;margin:32px auto;background:#fff;border-radius:8px;padding:24px;box-shadow:0 1px 4px #0002}
h1{font-size:18px;margin:0 0 12px} .amount{font-size:32px;color:#e4393c;margin:8px 0}
table{width:100%;border-collapse:collapse;font-size:14px} td,th{padding:6px 4px;border-bottom:1px solid #eee}
th{text-align:left;font-weight:normal;color:#888;font-size:12px}
button{display:block;width:100%;padding:12px;margin:10px 0;border:0;border-radius:6px;color:#fff;font-size:16px}
.wechat{background:#07c160} .alipay{background:#1677ff} .state{font-size:18px} .paid{color:#07c160}
.expired{color:#e4393c} .sandbox{color:#888;font-size:12px} .qr{text-align:center;font-size:11px;color:#666}
"""

_SCRIPT = """
const c=document.getElementById('countdown');
if(c){let s=+c.dataset.remaining;setInterval(()=>{s=Math.max(0,s-1);
c.textContent=String(Math.floor(s/60)).padStart(2,'0')+':'+String(s%60).padStart(2,'0');
if(s===0){location.reload();}},1000);}
"""


def _page(title: str, body: str) -> str:
    return (
        "<!doctype html><html lang='zh-CN'><head><meta charset='utf-8'>"
        "<meta name='viewport' content='width=device-width,initial-scale=1'>"
        f"<title>{html.escape(title)}</title><style>{_STYLE}</style></head>"
        f"<body><main><h1>{html.escape(title)}</h1>{body}</main><script>{_SCRIPT}</script></body></html>"
    )
