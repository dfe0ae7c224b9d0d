"""How an order can be paid: the methods the server names for the order's market, and their names to show.

China pays with WeChat Pay or Alipay, Vietnam with a VietQR bank transfer, MoMo or VNPay, Iran through a
Shaparak card gateway; the server decides which (``payment.methods``), the panel only words them.
"""

from __future__ import annotations

from app.domain.msgids import N_

METHOD_NAMES = {
    "wechat": N_("WeChat Pay"),
    "alipay": N_("Alipay"),
    "vietqr": N_("VietQR bank transfer"),
    "momo": N_("MoMo e-wallet"),
    "vnpay": N_("VNPay gateway"),
    "shaparak": N_("Shaparak card gateway"),
}
# A server from before markets names no methods: its only market was China.
DEFAULT_METHODS = ("wechat", "alipay")


def offered_methods(methods: tuple[str, ...]) -> tuple[str, ...]:
    """The methods to offer, in the server's order; a method this panel cannot name is still offered."""
    return methods or DEFAULT_METHODS


def method_msgid(method: str) -> str:
    """The msgid naming ``method`` (the code itself for one this panel does not know yet)."""
    return METHOD_NAMES.get(method, method)
