/* relief-sha256.h: SHA-256 of bytes as they come, for the source files a run records.
 * Nettle's when Relief is built with it (its x86-64 code uses the CPU's SHA instructions
 * where there are some: about four times GLib's pace), else GLib's; the digest is the same. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _ReliefSha256 ReliefSha256;

ReliefSha256 *relief_sha256_new    (void);
void          relief_sha256_update (ReliefSha256 *hash, const void *data, gsize len);
/* The digest in lowercase hex; hash is freed. */
char         *relief_sha256_finish (ReliefSha256 *hash);
void          relief_sha256_free   (ReliefSha256 *hash);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ReliefSha256, relief_sha256_free)

G_END_DECLS
