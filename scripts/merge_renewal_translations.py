# ruff: noqa: E501  (a translation table: one entry per line reads best)
"""Merge the renewal screens' zh_CN translations (issue 5) into resources/i18n/zh_CN.json without clobbering others'.

    python scripts/merge_renewal_translations.py [--force]

Re-reads the catalogue, adds the entries it lacks (existing entries win unless ``--force``, so a translator's
later correction is kept) and rewrites it sorted, ``ensure_ascii=False``, with the indent the file uses now.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

CATALOGUE = Path(__file__).resolve().parents[1] / "resources" / "i18n" / "zh_CN.json"

RENEWAL_ZH: dict[str, str] = {
    # app/domain/renewal.py
    "Active": "正常",
    "Expiring soon": "即将到期",
    "Expired": "已过期",
    "Suspended": "已停用",
    "Awaiting payment": "待支付",
    "Renewed": "已续费",
    "Refunded": "已退款",
    "The subscription expired {days} day(s) ago, on {date}. Renew now: the new period starts today.": "订阅已于 {date} 到期（已过期 {days} 天）。请立即续费：新的服务期从今天开始计算。",
    "The subscription expires in {days} day(s), on {date}. Renew now: the new period is added to the current one, so no day is lost.": "订阅将在 {days} 天后（{date}）到期。现在续费，新的服务期接在当前到期日之后，一天也不会浪费。",
    "The subscription expires today ({date}). Renew now to keep working without a break.": "订阅今天（{date}）到期。请立即续费，以免中断使用。",
    "Enter the name the invoice is made out to.": "请填写发票抬头（开票名称）。",
    "The invoice tax id should be 8 to 20 letters or digits.": "发票税号应为 8 到 20 位字母或数字。",
    "The invoice e-mail address is not valid.": "接收发票的电子邮箱地址无效。",
    "Enter an e-mail address or a phone number for the notifications.": "请填写接收订单通知的电子邮箱或手机号。",
    "The notification e-mail address is not valid.": "接收通知的电子邮箱地址无效。",
    "The notification phone number is not valid.": "接收通知的手机号无效。",
    # app/domain/server_errors.py
    "This licence never expires, so there is nothing to renew.": "该许可永久有效，无需续费。",
    "{in_use} ledgers are in use ({ledgers}), but the renewal covers only {requested}. Archive ledgers you no longer use, or renew more ledgers.": "已使用 {in_use} 个账套（{ledgers}），但续费只包含 {requested} 个。请先归档不再使用的账套，或续费更多账套。",
    # app/ui/renewal_page.py
    "{months} months ({years} year(s))": "{months} 个月（{years} 年）",
    "Renew subscription": "续费",
    "Renewal": "续费",
    "Bulk renewal": "批量续费",
    "Product": "产品",
    "Organisation": "组织",
    "Current expiry": "当前到期日",
    "Licence state": "许可状态",
    "Renewal period": "续费时长",
    "Ledgers to renew": "续费账套数",
    "Price": "价格",
    "New expiry": "续费后到期日",
    "Archive ledgers…": "归档账套…",
    "Place renewal order": "提交续费订单",
    "Ledgers bought": "已购账套数",
    "Back to renewal": "返回续费",
    "Loading the subscription…": "正在读取订阅信息…",
    "No licence is activated on this computer yet. Activate one first.": "本机尚未激活任何许可，请先激活。",
    "In use: {in_use} · bought: {purchased}": "已使用 {in_use} 个 · 已购买 {purchased} 个",
    "Never expires": "永久有效",
    "Calculating…": "正在计算…",
    "The licence has expired: the new period starts today.": "许可已过期：新的服务期从今天开始计算。",
    "The new period is added to the current expiry.": "新的服务期接在当前到期日之后。",
    "Priced per ledger: {requested} ledgers × {unit} per year.": "按账套计价：{requested} 个账套 × 每年 {unit}。",
    "{in_use} ledgers are in use, but this renewal covers {requested}. Archive {count} ledger(s) you no longer use, or renew {in_use} ledgers.": "已使用 {in_use} 个账套，但本次续费只包含 {requested} 个。请归档 {count} 个不再使用的账套，或续费 {in_use} 个账套。",
    "Ledgers in use:": "正在使用的账套：",
    "Renew {count} ledgers instead": "改为续费 {count} 个账套",
    "Checking the licence online…": "正在联网检查许可…",
    "Placing the order…": "正在提交订单…",
    "Renewal order #{id}: {period}, new expiry {expiry}.": "续费订单 #{id}：{period}，续费后到期日 {expiry}。",
    "The payment has expired. Nothing was charged and the expiry is unchanged.": "支付已超时。未产生任何扣款，到期日保持不变。",
    "Applying the renewal to this computer…": "正在将续费应用到本机…",
    "Renewal paid: the subscription runs until {date}.": "续费已支付：订阅有效期至 {date}。",
    "The licence was checked online again: no restart is needed.": "已重新联网认证许可：无需重启。",
    # app/ui/archive_ledgers_dialog.py
    "Archive ledgers": "归档账套",
    "Archived ledgers become read-only: they can still be opened, viewed and printed, but no vouchers can be entered and nothing can be bought for them. They no longer count as ledgers in use.": "归档后的账套变为只读：仍可打开、查看和打印，但不能再录入凭证，也不能为其购买任何功能。归档的账套不再计入已使用账套数。",
    "{in_use} ledgers are in use. Choose at least {count} to archive, so the renewal can cover the rest.": "当前已使用 {in_use} 个账套。请至少选择 {count} 个进行归档，续费即可覆盖其余账套。",
    "Choose the ledgers you no longer use.": "请选择不再使用的账套。",
    "{ledger}  ·  {vouchers} vouchers this year": "{ledger}  ·  本年度凭证 {vouchers} 张",
    "Archive selected ledgers": "归档所选账套",
    "Selected: {chosen} (needed: at least {needed})": "已选 {chosen} 个（至少需要 {needed} 个）",
    "Archive these ledgers?\n{names}": "确定归档以下账套吗？\n{names}",
    "Archive (read-only)": "归档（变为只读）",
    "Keep them": "暂不归档",
    "Archiving ledgers…": "正在归档账套…",
    "Cancel": "取消",
    # app/ui/bulk_renewal_page.py
    "Bulk renewal for your customers": "为客户批量续费",
    "Search by company name or tax id": "按公司名称或税号搜索",
    "Sort by expiry (soonest first)": "按到期日排序（最早到期在前）",
    "Refresh": "刷新",
    "Company": "公司",
    "Tax ID": "税号",
    "Expiry": "到期日",
    "Status": "状态",
    "Customer tax id": "客户税号",
    "Add row": "添加行",
    "Add a customer by tax id:": "按税号添加客户：",
    "Invoice recipient": "发票接收方",
    "Each customer (from its own company details)": "各客户本身（使用其公司信息开票）",
    "Another party": "其他单位",
    "Name": "名称",
    "E-mail": "电子邮箱",
    "Address": "地址",
    "Order notifications": "订单通知",
    "Me (the service accountant)": "我（代账会计）",
    "Another contact": "其他联系人",
    "Phone": "手机号",
    "Review order…": "核对订单…",
    "Loading your customers…": "正在读取您的客户…",
    "Suspended: renew it after the vendor lifts the suspension.": "已停用：待厂商解除停用后再续费。",
    "None of your customers has the tax id {tax_id}.": "您的客户中没有税号为 {tax_id} 的公司。",
    "{company} is suspended and cannot be renewed here.": "{company} 已停用，无法在此续费。",
    "{count} customer(s) selected": "已选择 {count} 个客户",
    "Pricing the renewals…": "正在计算续费价格…",
    "Check the order: click a row to see that customer's details.": "请核对订单：点击某一行可查看该客户的详细信息。",
    "Amount": "金额",
    "Invoice to": "发票抬头",
    "I have checked and confirm the information above": "我已核对并确认以上信息",
    "Back": "返回",
    "Place order": "下单",
    "Not possible": "无法续费",
    "Total for {count} customer(s): {amount}": "共 {count} 个客户，合计：{amount}",
    "Order notifications go to you, the service accountant.": "订单通知将发送给您（代账会计）。",
    "Order notifications go to {contact}.": "订单通知将发送给 {contact}。",
    "Tax ID: {tax_id}": "税号：{tax_id}",
    "Product: {product}": "产品：{product}",
    "Renewal: {period}, expiry {current} → {new}": "续费：{period}，到期日 {current} → {new}",
    "Amount: {amount}": "金额：{amount}",
    "Invoice to: {title}, tax id {tax_id}": "发票抬头：{title}，税号 {tax_id}",
    "Pay now, or copy the payment link and send it to the customer. Every expiry is updated by itself once the order is paid.": "可立即支付，也可复制支付链接发给客户。订单支付后，各客户的到期日会自动更新。",
    "Copy payment link for the customer": "复制支付链接发给客户",
    "Order #{id} placed for {count} customer(s): {amount}": "订单 #{id} 已提交，共 {count} 个客户：{amount}",
    "Link copied. Send it to the customer; this page shows when it is paid.": "链接已复制。请发送给客户；支付完成后本页会显示结果。",
    "Loading the renewal status…": "正在读取续费状态…",
    "Renewal status": "续费状态",
    "Subscription status": "订阅状态",
    "New bulk renewal": "新的批量续费",
    "Order #{id} is paid: {count} customer(s) renewed.": "订单 #{id} 已支付：{count} 个客户已续费。",
    "Order #{id} was not paid in time: no customer's expiry was changed.": "订单 #{id} 未在规定时间内支付：所有客户的到期日均未改变。",
    "Order #{id} is awaiting payment.": "订单 #{id} 待支付。",
}


def _indent_of(text: str) -> int:
    """The indent the file uses now, so a rewrite changes only the entries."""
    for line in text.splitlines()[1:2]:
        return max(1, len(line) - len(line.lstrip(" ")))
    return 1


def merge(force: bool = False) -> int:
    text = CATALOGUE.read_text(encoding="utf-8") if CATALOGUE.exists() else "{}\n"
    data = json.loads(text)
    added = 0
    for msgid, zh in RENEWAL_ZH.items():
        if force or msgid not in data:
            added += data.get(msgid) != zh
            data[msgid] = zh
    out = json.dumps(dict(sorted(data.items())), ensure_ascii=False, indent=_indent_of(text)) + "\n"
    CATALOGUE.write_text(out, encoding="utf-8")
    return added


if __name__ == "__main__":
    print(f"{merge(force='--force' in sys.argv[1:])} entries added or changed")
