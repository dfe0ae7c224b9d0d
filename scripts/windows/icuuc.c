/* Stand-in icuuc.dll for Wine 8 (Windows 10+ ships the real one in system32). Qt6Core imports these
 * ucnv_* functions; ucnv_open always fails, so Qt falls back to its own codecs and the rest is never
 * reached. Exported names are ICU's unversioned ones, as in Windows' icuuc.dll. */
#include <stddef.h>
#include <stdint.h>

#define U_FILE_ACCESS_ERROR 4
#define EXPORT __declspec(dllexport)

typedef int UErrorCode;
typedef struct UConverter UConverter;

EXPORT UConverter *ucnv_open(const char *name, UErrorCode *err)
{
    (void)name;
    if (err) *err = U_FILE_ACCESS_ERROR;
    return NULL;
}
EXPORT void ucnv_close(UConverter *cnv) { (void)cnv; }
EXPORT void ucnv_reset(UConverter *cnv) { (void)cnv; }
EXPORT int8_t ucnv_getMaxCharSize(const UConverter *cnv) { (void)cnv; return 4; }
EXPORT const char *ucnv_getName(const UConverter *cnv, UErrorCode *err)
{
    (void)cnv;
    if (err) *err = U_FILE_ACCESS_ERROR;
    return NULL;
}
EXPORT void ucnv_getToUCallBack(const UConverter *c, void **action, const void **context)
{
    (void)c;
    if (action) *action = NULL;
    if (context) *context = NULL;
}
EXPORT void ucnv_getFromUCallBack(const UConverter *c, void **action, const void **context)
{
    (void)c;
    if (action) *action = NULL;
    if (context) *context = NULL;
}
EXPORT void ucnv_setToUCallBack(UConverter *c, void *n, const void *nc, void **o, const void **oc, UErrorCode *err)
{
    (void)c; (void)n; (void)nc; (void)o; (void)oc;
    if (err) *err = U_FILE_ACCESS_ERROR;
}
EXPORT void ucnv_setFromUCallBack(UConverter *c, void *n, const void *nc, void **o, const void **oc, UErrorCode *err)
{
    (void)c; (void)n; (void)nc; (void)o; (void)oc;
    if (err) *err = U_FILE_ACCESS_ERROR;
}
EXPORT void ucnv_cbToUWriteUChars(void *args, const uint16_t *s, int32_t n, int32_t off, UErrorCode *err)
{
    (void)args; (void)s; (void)n; (void)off;
    if (err) *err = U_FILE_ACCESS_ERROR;
}
EXPORT void ucnv_cbFromUWriteUChars(void *args, const uint16_t **s, const uint16_t *e, int32_t off, UErrorCode *err)
{
    (void)args; (void)s; (void)e; (void)off;
    if (err) *err = U_FILE_ACCESS_ERROR;
}
EXPORT void ucnv_toUnicode(UConverter *c, uint16_t **t, const uint16_t *tl, const char **s, const char *sl,
                           int32_t *off, int8_t flush, UErrorCode *err)
{
    (void)c; (void)t; (void)tl; (void)s; (void)sl; (void)off; (void)flush;
    if (err) *err = U_FILE_ACCESS_ERROR;
}
EXPORT void ucnv_fromUnicode(UConverter *c, char **t, const char *tl, const uint16_t **s, const uint16_t *sl,
                             int32_t *off, int8_t flush, UErrorCode *err)
{
    (void)c; (void)t; (void)tl; (void)s; (void)sl; (void)off; (void)flush;
    if (err) *err = U_FILE_ACCESS_ERROR;
}
EXPORT int32_t ucnv_toUCountPending(const UConverter *c, UErrorCode *err)
{
    (void)c;
    if (err) *err = U_FILE_ACCESS_ERROR;
    return 0;
}
EXPORT int32_t ucnv_fromUCountPending(const UConverter *c, UErrorCode *err)
{
    (void)c;
    if (err) *err = U_FILE_ACCESS_ERROR;
    return 0;
}
EXPORT const char *ucnv_getStandardName(const char *name, const char *standard, UErrorCode *err)
{
    (void)name; (void)standard;
    if (err) *err = U_FILE_ACCESS_ERROR;
    return NULL;
}
EXPORT const char *ucnv_getAvailableName(int32_t n) { (void)n; return NULL; }
EXPORT int32_t ucnv_countAvailable(void) { return 0; }
EXPORT void UCNV_FROM_U_CALLBACK_SUBSTITUTE(const void *ctx, void *args, const uint16_t *u, int32_t n,
                                            int32_t cp, int reason, UErrorCode *err)
{
    (void)ctx; (void)args; (void)u; (void)n; (void)cp; (void)reason; (void)err;
}
EXPORT void UCNV_TO_U_CALLBACK_SUBSTITUTE(const void *ctx, void *args, const char *b, int32_t n, int reason,
                                          UErrorCode *err)
{
    (void)ctx; (void)args; (void)b; (void)n; (void)reason; (void)err;
}
