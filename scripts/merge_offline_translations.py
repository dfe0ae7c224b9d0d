# ruff: noqa: E501  (a translation table: one entry per line reads best)
"""Merge the zh_CN texts of air-gapped activation (offline dialog, offline CLI, its error codes) into zh_CN.json.

``python scripts/merge_offline_translations.py [--force]``. The catalogue is re-read right before writing
(others edit it too), existing entries win unless ``--force``, and the file keeps its indent, sorted keys and
``ensure_ascii=False``.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

CATALOGUE = Path(__file__).resolve().parents[1] / "resources" / "i18n" / "zh_CN.json"

OFFLINE_ZH: dict[str, str] = {
    "1. Make a request file": "1. 生成请求文件",
    "2. Import the response file": "2. 导入响应文件",
    "Activate this computer": "激活本机",
    "Choose the organisation that receives the licence: this account has several, or none yet.": "请选择接收许可的组织：该账号有多个组织，或还没有组织。",
    "Choose the request file": "选择请求文件",
    "Deactivate this computer": "注销本机",
    "Feature code: {code}": "特征码：{code}",
    "For a computer that cannot reach the licence server. Two small files are carried to and from any computer with internet (USB stick, or the QR code below).": "适用于无法连接许可服务器的电脑。只需在本机与任意一台能上网的电脑之间传递两个小文件（U 盘，或下方的二维码）。",
    "I understand: this computer stops being activated as soon as the file is written.": "我已了解：文件一经生成，本机即不再处于激活状态。",
    "Import response file": "导入响应文件",
    "Import response file…": "导入响应文件…",
    "Importing the response file…": "正在导入响应文件…",
    "JSON files (*.json);;All files (*)": "JSON 文件 (*.json);;所有文件 (*)",
    "No internet on this computer? Activate offline": "本机无法上网？离线激活",
    "No offline request of this computer is waiting for an answer (a response is imported only once). Make a request file first.": "本机没有等待响应的离线请求（每个响应文件只能导入一次）。请先生成请求文件。",
    "On this computer with internet: choose the request file brought from the offline computer. It is sent with the account signed in here, which receives the licence, and the response file is saved next to it.": "在这台能上网的电脑上：选择从离线电脑带来的请求文件。文件将以此处登录的账号提交（该账号接收许可），响应文件保存在其旁边。",
    "Or scan the QR code with a phone and paste its text into that page.": "也可以用手机扫描二维码，把其中的文字粘贴到该页面。",
    "Renew the offline lease": "续期离线租约",
    "Request file saved: {path}": "请求文件已保存：{path}",
    "Request file written: {path}": "请求文件已写入：{path}",
    "Response file written: {path}": "响应文件已写入：{path}",
    "Save request file": "保存请求文件",
    "Save request file…": "保存请求文件…",
    "Save response file": "保存响应文件",
    "Sign in first: the upload needs an account.": "请先登录：上传需要一个账号。",
    "Take it back to the offline computer and import it there.": "请把它带回离线电脑并在那里导入。",
    "Take this file to any computer with internet, open {url}/offline or run `python -m app offline upload` there, then import the response file here.": "请把此文件带到任意一台能上网的电脑上，打开 {url}/offline 或运行 `python -m app offline upload`，然后在本机导入响应文件。",
    "Take this file to any computer with internet. There, open {url}/offline in a browser, or use this panel's tab \"Upload for another computer\". Bring the response file back and import it below.": "请把此文件带到任意一台能上网的电脑上，在浏览器中打开 {url}/offline，或使用本面板的“为其他电脑上传”选项卡。再把响应文件带回，在下方导入。",
    "The CDkey itself is not written into the file, only a proof of it.": "文件中不含 CDkey 本身，只含其校验值。",
    "The seat of that computer is free again.": "该电脑占用的授权台数已释放。",
    "The server released this computer's seat. This computer is no longer activated.": "服务器已释放本机占用的授权台数。本机已不再处于激活状态。",
    "This account has several organisations. Choose the one that receives the licence, then upload again.": "该账号有多个组织。请选择接收许可的组织，然后再次上传。",
    "This computer has no internet": "本机无法上网",
    "This computer has no licence to renew or deactivate. Activate it first.": "本机没有可续期或注销的许可。请先激活。",
    "This computer is no longer activated. The seat is freed once the file is uploaded.": "本机已不再处于激活状态。文件上传后，占用的授权台数即被释放。",
    "This is not an offline activation file, or it is damaged. Choose the file the licence server gave you.": "这不是离线激活文件，或文件已损坏。请选择许可服务器生成的文件。",
    "This offline file has a format this program does not read. Update the panel or the server, or make a new request file.": "本程序无法读取此离线文件的格式。请更新面板或服务器，或重新生成请求文件。",
    "This request file has already been used. Make a new request file on the offline computer.": "此请求文件已被使用过。请在离线电脑上重新生成请求文件。",
    "This request is too large for a QR code: carry the file.": "此请求太大，无法生成二维码：请携带文件。",
    "This response file answers another request, not the last one made on this computer. Nothing was changed. Upload the latest request file and import its response.": "此响应文件对应的是另一个请求，而不是本机最近生成的请求。未做任何更改。请上传最新的请求文件并导入其响应。",
    "This response file was made for another computer. Nothing was changed. Import it on the computer that wrote the request.": "此响应文件是为另一台电脑生成的。未做任何更改。请在生成该请求的电脑上导入。",
    "Upload a request file…": "上传请求文件…",
    "Upload for another computer": "为其他电脑上传",
    "Uploading the request file…": "正在上传请求文件…",
    "Writing the request file…": "正在写入请求文件…",
}


def _indent_of(text: str) -> int:
    """The indent the file uses now (1 or 2 spaces…), so a rewrite changes only the entries."""
    for line in text.splitlines()[1:2]:
        return len(line) - len(line.lstrip(" ")) or 1
    return 1


def merge(force: bool = False) -> int:
    text = CATALOGUE.read_text(encoding="utf-8") if CATALOGUE.exists() else "{}\n"
    data = json.loads(text)
    changed = 0
    for msgid, zh in OFFLINE_ZH.items():
        if force or msgid not in data:
            changed += data.get(msgid) != zh
            data[msgid] = zh
    out = json.dumps(dict(sorted(data.items())), ensure_ascii=False, indent=_indent_of(text)) + "\n"
    CATALOGUE.write_text(out, encoding="utf-8")
    return changed


if __name__ == "__main__":
    print(f"{merge(force='--force' in sys.argv)} entries added or changed in {CATALOGUE}")
