"""What the server itself writes for people, in zh_CN, en, vi and fa: the pay page, the offline page, messages.

One row per text: ``say(key, language, **values)``. The panel words error codes and states itself; this is
only for pages a browser shows and messages the outbox sends, where there is no panel to do it.
"""

from __future__ import annotations

from typing import Any

from server.languages import DEFAULT_LANGUAGE, LANGUAGES

# key → (zh_CN, en, vi, fa)
TEXTS: dict[str, tuple[str, str, str, str]] = {
    # ---- payment methods of the sandbox provider
    "method.wechat": ("微信支付", "WeChat Pay", "Ví WeChat Pay", "پرداخت با وی‌چت‌پی"),
    "method.alipay": ("支付宝", "Alipay", "Ví Alipay", "پرداخت با علی‌پی"),
    "method.vietqr": (
        "VietQR 银行转账",
        "VietQR bank transfer",
        "Chuyển khoản ngân hàng VietQR",
        "انتقال بانکی VietQR",
    ),
    "method.momo": ("MoMo 电子钱包", "MoMo e-wallet", "Ví điện tử MoMo", "کیف پول الکترونیکی MoMo"),
    "method.vnpay": ("VNPay 支付网关", "VNPay gateway", "Cổng thanh toán VNPay", "درگاه پرداخت VNPay"),
    "method.shaparak": (
        "Shaparak 银行卡支付",
        "Shaparak card gateway",
        "Cổng thẻ Shaparak",
        "درگاه پرداخت کارتی شاپرک",
    ),
    # ---- the pay page
    "pay.title": ("收银台", "Checkout", "Thanh toán", "صندوق پرداخت"),
    "pay.not_found": ("支付单不存在", "Payment not found", "Không tìm thấy khoản thanh toán", "پرداخت پیدا نشد"),
    "pay.failed": ("支付失败", "Payment failed", "Thanh toán không thành công", "پرداخت ناموفق بود"),
    "pay.order": ("订单号 {id}", "Order #{id}", "Đơn hàng số {id}", "سفارش شماره {id}"),
    "pay.ledger_year": (
        "账套 {ledger} · {year} 年度",
        "Ledger {ledger} · fiscal year {year}",
        "Sổ {ledger} · năm tài chính {year}",
        "دفتر {ledger} · سال مالی {year}",
    ),
    # a seat pack belongs to the whole licence: no ledger-year to name
    "pay.whole_licence": ("整个许可", "Whole licence", "Toàn bộ giấy phép", "کل مجوز"),
    "pay.company": ("公司", "Company", "Công ty", "شرکت"),
    "pay.tax_id": ("税号", "Tax ID", "Mã số thuế", "شناسه ملی"),
    "pay.renewal": ("续费", "Renewal", "Gia hạn", "تمدید"),
    "pay.new_expiry": ("新到期日", "New expiry", "Ngày hết hạn mới", "تاریخ انقضای جدید"),
    "pay.months": ("{months} 个月", "{months} months", "{months} tháng", "{months} ماه"),
    "pay.paid": (
        "支付成功 — 请返回软件,系统将自动认证。",
        "Paid — go back to the panel: it notices the payment by itself.",
        "Đã thanh toán — hãy quay lại phần mềm: phần mềm tự nhận biết khoản thanh toán.",
        "پرداخت انجام شد — به نرم‌افزار برگردید: پرداخت را خودش تشخیص می‌دهد.",
    ),
    "pay.expired": ("支付已过期", "Payment expired", "Khoản thanh toán đã hết hạn", "مهلت پرداخت تمام شد"),
    "pay.time_left": ("剩余支付时间", "Time left", "Thời gian còn lại", "زمان باقی‌مانده"),
    "pay.choose": ("选择支付方式", "Choose how to pay", "Chọn cách thanh toán", "روش پرداخت را انتخاب کنید"),
    "pay.sandbox": (
        "沙箱支付:不会产生真实扣款。",
        "Sandbox provider: no real money moves.",
        "Cổng thử nghiệm: không có tiền thật được chuyển.",
        "درگاه آزمایشی: هیچ پول واقعی جابه‌جا نمی‌شود.",
    ),
    # ---- the offline activation page
    "offline.title": ("离线激活", "Offline activation", "Kích hoạt ngoại tuyến", "فعال‌سازی آفلاین"),
    "offline.intro": (
        "在无法联网的电脑上生成请求文件,把它带到这台电脑,上传并用云账号登录;下载得到的响应文件,再拿回那台电脑导入。",
        "Bring the request file written on the offline computer, upload it here and sign in with the cloud account "
        "that receives the licence. Take the response file you download back to the offline computer and import it.",
        "Mang tệp yêu cầu được tạo trên máy không có mạng đến đây, tải lên và đăng nhập bằng tài khoản đám mây nhận "
        "giấy phép. Mang tệp phản hồi tải về trở lại máy đó và nhập vào.",
        "فایل درخواستی را که روی رایانهٔ بدون اینترنت ساخته شده به اینجا بیاورید، بارگذاری کنید و با حساب ابری که "
        "مجوز را دریافت می‌کند وارد شوید. فایل پاسخ دریافتی را به همان رایانه برگردانید و وارد کنید.",
    ),
    "offline.file": ("请求文件", "Request file", "Tệp yêu cầu", "فایل درخواست"),
    "offline.paste": ("或粘贴其内容", "or paste its content", "hoặc dán nội dung của tệp", "یا محتوای آن را بچسبانید"),
    "offline.login": ("账号", "Account", "Tài khoản", "حساب کاربری"),
    "offline.password": ("密码", "Password", "Mật khẩu", "گذرواژه"),
    "offline.org": (
        "组织编号(可选)",
        "Organisation id (optional)",
        "Mã tổ chức (không bắt buộc)",
        "شناسهٔ سازمان (اختیاری)",
    ),
    "offline.org_hint": (
        "激活时若账号有多个组织,请填写接收许可的组织编号。",
        "Needed for an activation when the account has several organisations.",
        "Cần khi kích hoạt nếu tài khoản có nhiều tổ chức: nhập mã tổ chức nhận giấy phép.",
        "اگر حساب چند سازمان دارد، شناسهٔ سازمانی را که مجوز را می‌گیرد وارد کنید.",
    ),
    "offline.submit": ("获取响应文件", "Get the response file", "Lấy tệp phản hồi", "دریافت فایل پاسخ"),
    "offline.bad_file": (
        "这不是有效的离线请求文件。",
        "This is not a valid offline request file.",
        "Đây không phải là tệp yêu cầu ngoại tuyến hợp lệ.",
        "این فایل، فایل درخواست آفلاین معتبری نیست.",
    ),
    "offline.bad_org": (
        "组织编号应为数字。",
        "The organisation id is a number.",
        "Mã tổ chức phải là một số.",
        "شناسهٔ سازمان باید عدد باشد.",
    ),
    "offline.refused": (
        "服务器拒绝了此请求",
        "The server refused this request",
        "Máy chủ đã từ chối yêu cầu này",
        "سرور این درخواست را نپذیرفت",
    ),
    "offline.attempts_left": (
        "剩余尝试次数:{count}",
        "attempts left: {count}",
        "số lần thử còn lại: {count}",
        "تعداد تلاش‌های باقی‌مانده: {count}",
    ),
    # ---- renewal notifications (e-mail or SMS)
    "notify.placed.subject": (
        "订单已提交 · 续费订单 #{id}",
        "Renewal order #{id} placed",
        "Đã đặt đơn gia hạn số {id}",
        "سفارش تمدید شماره {id} ثبت شد",
    ),
    "notify.placed.body": (
        "应付金额:{amount}。付款链接:{url}(有效期至 {until} UTC)。",
        "Amount due: {amount}. Pay here: {url} (the link is valid until {until} UTC).",
        "Số tiền cần trả: {amount}. Thanh toán tại: {url} (liên kết có hiệu lực đến {until} UTC).",
        "مبلغ قابل پرداخت: {amount}. پرداخت از این پیوند: {url} (این پیوند تا {until} UTC معتبر است).",
    ),
    "notify.paid.subject": (
        "支付成功 · 续费订单 #{id}",
        "Renewal order #{id} paid",
        "Đơn gia hạn số {id} đã được thanh toán",
        "سفارش تمدید شماره {id} پرداخت شد",
    ),
    "notify.paid.body": (
        "已收到付款 {amount}。新的到期日:",
        "Payment of {amount} received. New expiries:",
        "Đã nhận khoản thanh toán {amount}. Ngày hết hạn mới:",
        "پرداخت {amount} دریافت شد. تاریخ‌های انقضای جدید:",
    ),
    "notify.line": (
        "- {company}({tax_id}):{months} 个月,{ledgers} 个账套,新到期日 {expiry}",
        "- {company} ({tax_id}): {months} months, {ledgers} ledgers, new expiry {expiry}",
        "- {company} ({tax_id}): {months} tháng, {ledgers} sổ kế toán, hết hạn mới {expiry}",
        "- {company} ({tax_id}): {months} ماه، {ledgers} دفتر، انقضای جدید {expiry}",
    ),
}


def say(key: str, language: str, /, **values: Any) -> str:
    """The text of ``key`` in ``language`` (the default language for one we do not have), filled in."""
    row = TEXTS[key]
    index = LANGUAGES.index(language) if language in LANGUAGES else LANGUAGES.index(DEFAULT_LANGUAGE)
    return row[index].format(**values) if values else row[index]


def method_name(method: str, language: str) -> str:
    key = f"method.{method}"
    return say(key, language) if key in TEXTS else method
