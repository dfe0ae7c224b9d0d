"""The Windows version resource of each exe, built from pyproject's version (used by licence_panel.spec)."""

from __future__ import annotations

from PyInstaller.utils.win32.versioninfo import (
    FixedFileInfo,
    StringFileInfo,
    StringStruct,
    StringTable,
    VarFileInfo,
    VarStruct,
    VSVersionInfo,
)

COMPANY = "Licence Panel"
PRODUCT = "Licence Panel"


def _numbers(version: str) -> tuple[int, int, int, int]:
    parts = [int("".join(ch for ch in part if ch.isdigit()) or 0) for part in version.split(".")[:4]]
    return tuple([*parts, 0, 0, 0, 0][:4])  # type: ignore[return-value]


def build(version: str, filename: str, description: str, *, demo: bool = False) -> VSVersionInfo:
    """One exe's resource: its own OriginalFilename and FileDescription, the product's version."""
    numbers = _numbers(version)
    shown = f"{version} (demo build)" if demo else version
    strings = [
        StringStruct("CompanyName", COMPANY),
        StringStruct("FileDescription", description),
        StringStruct("FileVersion", shown),
        StringStruct("InternalName", filename.rsplit(".", 1)[0]),
        StringStruct("LegalCopyright", f"© {COMPANY}"),
        StringStruct("OriginalFilename", filename),
        StringStruct("ProductName", PRODUCT),
        StringStruct("ProductVersion", shown),
    ]
    return VSVersionInfo(
        ffi=FixedFileInfo(
            filevers=numbers,
            prodvers=numbers,
            mask=0x3F,
            flags=0x2 if demo else 0x0,  # VS_FF_PRERELEASE for demo builds
            OS=0x40004,  # VOS_NT_WINDOWS32
            fileType=0x1,  # VFT_APP
            subtype=0x0,
            date=(0, 0),
        ),
        kids=[
            # Language-neutral Unicode table: Explorer shows it whatever the Windows display language.
            StringFileInfo([StringTable("000004b0", strings)]),
            VarFileInfo([VarStruct("Translation", [0, 1200])]),
        ],
    )
