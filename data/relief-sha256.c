/* relief-sha256.c: SHA-256 through nettle, or GLib's GChecksum without it. */
#include "relief-config.h"
#include "relief-sha256.h"

#if RELIEF_HAVE_NETTLE
#include <nettle/sha2.h>

struct _ReliefSha256 {
  struct sha256_ctx ctx;
};

ReliefSha256 *
relief_sha256_new (void)
{
  ReliefSha256 *hash = g_new (ReliefSha256, 1);

  sha256_init (&hash->ctx);
  return hash;
}

void
relief_sha256_update (ReliefSha256 *hash, const void *data, gsize len)
{
  sha256_update (&hash->ctx, len, data);
}

char *
relief_sha256_finish (ReliefSha256 *hash)
{
  static const char digits[] = "0123456789abcdef";
  guint8 digest[SHA256_DIGEST_SIZE];
  char *hex = g_new (char, 2 * SHA256_DIGEST_SIZE + 1);

  sha256_digest (&hash->ctx, SHA256_DIGEST_SIZE, digest);
  for (int i = 0; i < SHA256_DIGEST_SIZE; i++)
    {
      hex[2 * i] = digits[digest[i] >> 4];
      hex[2 * i + 1] = digits[digest[i] & 0xf];
    }
  hex[2 * SHA256_DIGEST_SIZE] = '\0';
  g_free (hash);
  return hex;
}

void
relief_sha256_free (ReliefSha256 *hash)
{
  g_free (hash);
}

#else

struct _ReliefSha256 {
  GChecksum *checksum;
};

ReliefSha256 *
relief_sha256_new (void)
{
  ReliefSha256 *hash = g_new (ReliefSha256, 1);

  hash->checksum = g_checksum_new (G_CHECKSUM_SHA256);
  return hash;
}

void
relief_sha256_update (ReliefSha256 *hash, const void *data, gsize len)
{
  /* g_checksum_update takes a gssize. */
  while (len > 0)
    {
      gsize part = MIN (len, (gsize) G_MAXSSIZE);

      g_checksum_update (hash->checksum, data, (gssize) part);
      data = (const guint8 *) data + part;
      len -= part;
    }
}

char *
relief_sha256_finish (ReliefSha256 *hash)
{
  char *hex = g_strdup (g_checksum_get_string (hash->checksum));

  relief_sha256_free (hash);
  return hex;
}

void
relief_sha256_free (ReliefSha256 *hash)
{
  if (hash == NULL)
    return;
  g_checksum_free (hash->checksum);
  g_free (hash);
}

#endif
