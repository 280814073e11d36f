/* json.c: JSON strings.
**
** netc's JSON is written by hand with Buf (the documents are small and
** their shape is fixed: tools read them, docs/netc.1); the one delicate part
** is a string, which must be valid UTF-8 with every control character
** escaped, whatever bytes a user's file held.
*/
#include "netc.h"

#include <string.h>

/* Length of the valid UTF-8 sequence at s (at most n bytes), 0 if invalid. */
int utf8_seq(const unsigned char *s, size_t n) {
    if (s[0] < 0x80)
        return 1;
    int len = s[0] >= 0xF0 && s[0] <= 0xF4 ? 4 : s[0] >= 0xE0 ? 3 : s[0] >= 0xC2 && s[0] < 0xE0 ? 2 : 0;
    if (!len || (size_t)len > n)
        return 0;
    for (int i = 1; i < len; i++)
        if ((s[i] & 0xC0) != 0x80)
            return 0;
    /* no overlong forms, no surrogates, nothing above U+10FFFF */
    if ((s[0] == 0xE0 && s[1] < 0xA0) || (s[0] == 0xED && s[1] >= 0xA0) ||
        (s[0] == 0xF0 && s[1] < 0x90) || (s[0] == 0xF4 && s[1] >= 0x90))
        return 0;
    return len;
}

void json_string(Buf *b, const char *s) {
    const unsigned char *p = (const unsigned char *)s;
    size_t n = strlen(s);
    buf_putc(b, '"');
    for (size_t i = 0; i < n;) {
        unsigned char c = p[i];
        if (c == '"' || c == '\\') {
            buf_putc(b, '\\');
            buf_putc(b, (char)c);
            i++;
        } else if (c == '\n') {
            buf_puts(b, "\\n");
            i++;
        } else if (c == '\t') {
            buf_puts(b, "\\t");
            i++;
        } else if (c < 0x20 || c == 0x7F) {
            buf_printf(b, "\\u%04x", c);
            i++;
        } else {
            int len = utf8_seq(p + i, n - i);
            if (!len) {
                buf_puts(b, "\\ufffd");
                i++;
                continue;
            }
            for (int k = 0; k < len; k++)
                buf_putc(b, (char)p[i + k]);
            i += (size_t)len;
        }
    }
    buf_putc(b, '"');
}
