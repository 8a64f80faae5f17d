/* print.c — PLACEHOLDER being replaced by the PyTorch repr implementation. */
#include "internal.h"
#include <stdlib.h>
#include <string.h>
size_t tg_tensor_repr(const tg_tensor *t, char *buf, size_t cap) { (void)t; if (cap) buf[0] = 0; return 0; }
char *tg_tensor_str(const tg_tensor *t) { size_t n = tg_tensor_repr(t, NULL, 0); char *s = malloc(n + 1); if (s) tg_tensor_repr(t, s, n + 1); return s; }
void tg_fprint(FILE *f, const tg_tensor *t) { char *s = tg_tensor_str(t); if (s) { fputs(s, f); fputc('\n', f); free(s); } }
void tg_print(const tg_tensor *t) { tg_fprint(stdout, t); }
size_t tg_tensor_size_repr(const tg_tensor *t, char *buf, size_t cap) { (void)t; if (cap) buf[0] = 0; return 0; }
