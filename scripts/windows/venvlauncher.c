/* Stand-in for CPython's venv launcher (Lib\venv\scripts\nt\python.exe and pythonw.exe), which the
 * embeddable CPython build lacks, so that `venv` works in the Windows lane's Python. As the real one: find
 * pyvenv.cfg next to the Scripts folder, run `home`\python.exe (pythonw.exe when built with -DGUI) with
 * the same arguments and __PYVENV_LAUNCHER__ set to this exe, and exit with its exit code. */
#include <windows.h>
#include <string.h>
#include <wchar.h>

#ifdef GUI
#define TARGET L"pythonw.exe"
#else
#define TARGET L"python.exe"
#endif

static int read_home(const wchar_t *cfg, wchar_t *home, DWORD size)
{
    HANDLE f = CreateFileW(cfg, GENERIC_READ, FILE_SHARE_READ, NULL, OPEN_EXISTING, 0, NULL);
    char buf[8192], *line, *end;
    DWORD got = 0;
    if (f == INVALID_HANDLE_VALUE) return 0;
    ReadFile(f, buf, sizeof buf - 1, &got, NULL);
    CloseHandle(f);
    buf[got] = 0;
    for (line = buf; line && *line; line = end ? end + 1 : NULL) {
        char *eq, *v, *e;
        end = strchr(line, '\n');
        if (end) *end = 0;
        while (*line == ' ' || *line == '\t') line++;
        if (_strnicmp(line, "home", 4) != 0) continue;
        eq = strchr(line + 4, '=');
        if (!eq) continue;
        for (v = eq + 1; *v == ' ' || *v == '\t'; v++) {}
        for (e = v + strlen(v); e > v && (e[-1] == '\r' || e[-1] == ' ' || e[-1] == '\t'); e--) {}
        *e = 0;
        return MultiByteToWideChar(CP_UTF8, 0, v, -1, home, (int)size) > 0;
    }
    return 0;
}

static wchar_t *dirname_inplace(wchar_t *path)
{
    wchar_t *slash = wcsrchr(path, L'\\');
    if (slash) *slash = 0;
    return path;
}

int wmain(void)
{
    static wchar_t self[32768], dir[32768], cfg[32768], home[32768], exe[32768], cmd[32768];
    const wchar_t *rest = GetCommandLineW();
    STARTUPINFOW si;
    PROCESS_INFORMATION pi;
    DWORD code = 1;

    GetModuleFileNameW(NULL, self, 32768);
    wcscpy(dir, self);
    dirname_inplace(dir);                     /* ...\env\Scripts */
    swprintf(cfg, 32768, L"%ls\\pyvenv.cfg", dir);
    if (!read_home(cfg, home, 32768)) {
        dirname_inplace(dir);                 /* ...\env */
        swprintf(cfg, 32768, L"%ls\\pyvenv.cfg", dir);
        if (!read_home(cfg, home, 32768)) return 106; /* as CPython's launcher: no pyvenv.cfg */
    }
    swprintf(exe, 32768, L"%ls\\%ls", home, TARGET);

    /* Skip argv[0] of our own command line, keep the rest verbatim. */
    if (*rest == L'"') {
        for (rest++; *rest && *rest != L'"'; rest++) {}
        if (*rest) rest++;
    } else {
        while (*rest && *rest != L' ' && *rest != L'\t') rest++;
    }
    swprintf(cmd, 32768, L"\"%ls\"%ls", exe, rest);
    SetEnvironmentVariableW(L"__PYVENV_LAUNCHER__", self);

    memset(&si, 0, sizeof si);
    si.cb = sizeof si;
    GetStartupInfoW(&si);
    if (!CreateProcessW(exe, cmd, NULL, NULL, TRUE, 0, NULL, NULL, &si, &pi)) return 101;
    WaitForSingleObject(pi.hProcess, INFINITE);
    GetExitCodeProcess(pi.hProcess, &code);
    CloseHandle(pi.hProcess);
    CloseHandle(pi.hThread);
    return (int)code;
}
