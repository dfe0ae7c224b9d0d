/* Stand-in mscms.dll for Wine 8, whose builtin lacks WcsCreateIccProfile (qwindows.dll imports it and the
 * GUI aborts). Every colour-profile call fails with ERROR_NOT_SUPPORTED; Qt then assumes sRGB. Loaded only
 * where HKCU\Software\Wine\DllOverrides sets mscms to native. */
#include <windows.h>

#define EXPORT __declspec(dllexport)
typedef HANDLE HPROFILE;

EXPORT HPROFILE WINAPI OpenColorProfileW(void *profile, DWORD access, DWORD share, DWORD creation)
{
    (void)profile; (void)access; (void)share; (void)creation;
    SetLastError(ERROR_NOT_SUPPORTED);
    return NULL;
}
EXPORT BOOL WINAPI CloseColorProfile(HPROFILE profile)
{
    (void)profile;
    return TRUE;
}
EXPORT BOOL WINAPI GetColorProfileFromHandle(HPROFILE profile, PBYTE buffer, PDWORD size)
{
    (void)profile; (void)buffer;
    if (size) *size = 0;
    SetLastError(ERROR_NOT_SUPPORTED);
    return FALSE;
}
EXPORT HPROFILE WINAPI WcsCreateIccProfile(HPROFILE profile, DWORD options)
{
    (void)profile; (void)options;
    SetLastError(ERROR_NOT_SUPPORTED);
    return NULL;
}
EXPORT BOOL WINAPI GetColorDirectoryW(PCWSTR machine, PWSTR buffer, PDWORD size)
{
    (void)machine; (void)buffer;
    if (size) *size = 0;
    SetLastError(ERROR_NOT_SUPPORTED);
    return FALSE;
}

BOOL WINAPI DllMain(HINSTANCE instance, DWORD reason, LPVOID reserved)
{
    (void)instance; (void)reason; (void)reserved;
    return TRUE;
}
