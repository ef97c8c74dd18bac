/* relief-loaders.c: IDX (MNIST layout) and CSV data sets, and the dispatch between them
 * and the generators. */
#include "relief-loaders.h"
#include <glib/gi18n-lib.h>
#include "relief-file.h"
#include "relief-rng.h"
#include "relief-sha256.h"

#include <errno.h>
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <glib/gstdio.h>
#include <zlib.h>

#define IDX_IMAGES_MAGIC 0x00000803u
#define IDX_LABELS_MAGIC 0x00000801u
#define IDX_MAX_CLASSES 10
#define CSV_MAX_CLASSES 1000

char *
relief_file_sha256 (const char *path, GError **error)
{
  g_autoptr (ReliefSha256) checksum = relief_sha256_new ();
  g_autofree guchar *buf = g_malloc (1 << 16);
  FILE *f = g_fopen (path, "rb");
  size_t n;
  gboolean failed;

  if (f == NULL)
    {
      int saved = errno;
      g_set_error (error, RELIEF_DATA_ERROR, RELIEF_DATA_ERROR_NOT_FOUND, _("Cannot open “%s”: %s"), path,
                   g_strerror (saved));
      return NULL;
    }
  while ((n = fread (buf, 1, 1 << 16, f)) > 0)
    relief_sha256_update (checksum, buf, n);
  failed = ferror (f) != 0;
  fclose (f);
  if (failed)
    {
      g_set_error (error, RELIEF_DATA_ERROR, RELIEF_DATA_ERROR_TRUNCATED, _("Cannot read “%s”"), path);
      return NULL;
    }
  return relief_sha256_finish (g_steal_pointer (&checksum));
}

/* Fills the dataset's source lists with the files read and the SHA-256 of the bytes read
 * from each (n of both; the digests are taken). */
static void
record_sources (ReliefDataset *ds, const char * const *paths, char **sha256, guint n)
{
  ds->source_paths = g_new0 (char *, n + 1);
  ds->source_sha256 = g_new0 (char *, n + 1);
  for (guint i = 0; i < n; i++)
    {
      ds->source_paths[i] = g_strdup (paths[i]);
      ds->source_sha256[i] = g_steal_pointer (&sha256[i]);
    }
}

/* Scalar mean and std over the training features, applied to both splits; a constant
 * input keeps std 1 rather than dividing by zero. */
static void
standardize (ReliefDataset *ds)
{
  gsize n_train = (gsize) ds->n_train * ds->n_features;
  gsize n_test = (gsize) ds->n_test * ds->n_features;
  double sum = 0.0, sum_sq = 0.0, mean, var, std;

  for (gsize i = 0; i < n_train; i++)
    sum += ds->x_train[i];
  mean = n_train > 0 ? sum / n_train : 0.0;
  for (gsize i = 0; i < n_train; i++)
    sum_sq += (ds->x_train[i] - mean) * (ds->x_train[i] - mean);
  var = n_train > 0 ? sum_sq / n_train : 0.0;
  std = var > 1e-24 ? sqrt (var) : 1.0;

  for (gsize i = 0; i < n_train; i++)
    ds->x_train[i] = (float) ((ds->x_train[i] - mean) / std);
  for (gsize i = 0; i < n_test; i++)
    ds->x_test[i] = (float) ((ds->x_test[i] - mean) / std);
  ds->mean = mean;
  ds->std = std;
}

/* ---- IDX ---- */

/* An IDX file as a stream of bytes, decompressed when it starts with the gzip magic
 * (whatever its name says).  zlib's gzread takes a stream cut at a block boundary for a
 * complete one, so inflate is driven here: a gzip file must end with its trailer (CRC and
 * size checked), and what follows a member must be another member. */
typedef struct {
  FILE         *file;
  const char   *path;
  gboolean      gzip;
  gboolean      ended;     /* the last member's trailer was read */
  /* The SHA-256 of the file's bytes as they are read, the ones the run records: a
   * plain file's reads past it while hash_paused (its caller hashes them). */
  ReliefSha256 *hash;
  gboolean      hash_paused;
  z_stream      z;
  guint8        in[1 << 16];
} IdxStream;

static void
idx_stream_free (IdxStream *st)
{
  relief_sha256_free (st->hash);
  if (st->gzip)
    inflateEnd (&st->z);
  if (st->file != NULL)
    fclose (st->file);
  g_free (st);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (IdxStream, idx_stream_free)

static IdxStream *
idx_stream_open (const char *path, GError **error)
{
  g_autoptr (IdxStream) st = g_new0 (IdxStream, 1);
  guint8 magic[2];

  st->path = path;
  if (!g_file_test (path, G_FILE_TEST_IS_REGULAR) || (st->file = g_fopen (path, "rb")) == NULL)
    {
      g_set_error (error, RELIEF_DATA_ERROR, RELIEF_DATA_ERROR_NOT_FOUND, _("Cannot open “%s”"), path);
      return NULL;
    }
  st->gzip = fread (magic, 1, 2, st->file) == 2 && magic[0] == 0x1f && magic[1] == 0x8b;
  rewind (st->file);
  st->hash = relief_sha256_new ();
  /* 16 + MAX_WBITS: a gzip header and trailer around the deflate data. */
  if (st->gzip && inflateInit2 (&st->z, 16 + MAX_WBITS) != Z_OK)
    {
      st->gzip = FALSE;
      g_set_error (error, RELIEF_DATA_ERROR, RELIEF_DATA_ERROR_INVALID, _("Cannot start decompressing “%s”"), path);
      return NULL;
    }
  return g_steal_pointer (&st);
}

/* Reads up to len bytes into buf (fewer only at the end of the file). */
static gboolean
idx_stream_read (IdxStream *st, guint8 *buf, gsize len, gsize *got, GError **error)
{
  if (!st->gzip)
    {
      *got = fread (buf, 1, len, st->file);
      if (ferror (st->file))
        {
          g_set_error (error, RELIEF_DATA_ERROR, RELIEF_DATA_ERROR_TRUNCATED, _("Cannot read “%s”"), st->path);
          return FALSE;
        }
      if (!st->hash_paused)
        relief_sha256_update (st->hash, buf, *got);
      return TRUE;
    }
  *got = 0;
  while (*got < len)
    {
      int ret;

      if (st->z.avail_in == 0)
        {
          gsize n = fread (st->in, 1, sizeof st->in, st->file);

          if (ferror (st->file))
            {
              g_set_error (error, RELIEF_DATA_ERROR, RELIEF_DATA_ERROR_TRUNCATED, _("Cannot read “%s”"), st->path);
              return FALSE;
            }
          if (n == 0 && !st->ended)
            {
              g_set_error (error, RELIEF_DATA_ERROR, RELIEF_DATA_ERROR_TRUNCATED,
                           _("“%s” ends inside its gzip data: a cut-off file"), st->path);
              return FALSE;
            }
          if (n == 0)
            break;
          relief_sha256_update (st->hash, st->in, n);
          st->z.next_in = st->in;
          st->z.avail_in = n;
        }
      if (st->ended)
        {
          inflateReset (&st->z);
          st->ended = FALSE;
        }
      st->z.next_out = buf + *got;
      st->z.avail_out = (uInt) MIN (len - *got, (gsize) 1 << 30);
      ret = inflate (&st->z, Z_NO_FLUSH);
      *got = (gsize) (st->z.next_out - buf);
      if (ret == Z_STREAM_END)
        st->ended = TRUE;
      else if (ret != Z_OK && !(ret == Z_BUF_ERROR && st->z.avail_in == 0))
        {
          g_set_error (error, RELIEF_DATA_ERROR, RELIEF_DATA_ERROR_BAD_FORMAT,
                       _("“%s” is damaged gzip data (%s)"), st->path, st->z.msg != NULL ? st->z.msg : "inflate");
          return FALSE;
        }
    }
  return TRUE;
}

typedef struct {
  GBytes       *bytes;
  const guint8 *items;
  guint32       count;
  gsize         item_size;  /* rows * cols for images, 1 for labels */
  char         *sha256;     /* of the file's bytes, once hashing ends */
  GThread      *hashing;    /* a large plain file's items, hashed beside the conversion */
} IdxFile;

/* The file's SHA-256, taken (waits for the hashing thread). */
static char *
idx_file_steal_sha256 (IdxFile *idx)
{
  if (idx->hashing != NULL)
    idx->sha256 = g_thread_join (g_steal_pointer (&idx->hashing));
  return g_steal_pointer (&idx->sha256);
}

static void
idx_file_clear (IdxFile *idx)
{
  g_free (idx_file_steal_sha256 (idx));
  g_clear_pointer (&idx->bytes, g_bytes_unref);
}

typedef struct {
  ReliefSha256 *hash;
  GBytes       *bytes;
} HashTail;

static gpointer
hash_tail_thread (gpointer data)
{
  HashTail *tail = data;
  gsize len;
  const guint8 *bytes = g_bytes_get_data (tail->bytes, &len);
  char *hex;

  relief_sha256_update (tail->hash, bytes, len);
  hex = relief_sha256_finish (tail->hash);
  g_bytes_unref (tail->bytes);
  g_free (tail);
  return hex;
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (IdxFile, idx_file_clear)

static guint32
read_be32 (const guint8 *p)
{
  return ((guint32) p[0] << 24) | ((guint32) p[1] << 16) | ((guint32) p[2] << 8) | p[3];
}

/* The header first, then exactly the bytes it declares, then the end of the file: nothing
 * is allocated beyond what the header declares and the memory allows, and bytes after the
 * items (a file appended to another, a gzip bomb) are refused rather than ignored. */
static gboolean
idx_read (IdxStream *st, const char *path, guint32 magic, IdxFile *idx, GError **error)
{
  guint8 header[16], extra;
  guint32 found, n_dims = magic & 0xff;
  gsize header_len = 4 + 4 * (gsize) n_dims, got;
  guint64 item_size = 1, items_len;
  g_autofree guint8 *data = NULL;

  if (!idx_stream_read (st, header, 4, &got, error))
    return FALSE;
  if (got < 4)
    {
      g_set_error (error, RELIEF_DATA_ERROR, RELIEF_DATA_ERROR_TRUNCATED, _("“%s” ends before its IDX header"), path);
      return FALSE;
    }
  found = read_be32 (header);
  if (found != magic)
    {
      g_set_error (error, RELIEF_DATA_ERROR, RELIEF_DATA_ERROR_BAD_FORMAT,
                   _("“%s” is not an IDX %s file (magic 0x%08x, expected 0x%08x)"), path,
                   magic == IDX_IMAGES_MAGIC ? "image" : "label", found, magic);
      return FALSE;
    }
  if (!idx_stream_read (st, header + 4, header_len - 4, &got, error))
    return FALSE;
  if (got < header_len - 4)
    {
      g_set_error (error, RELIEF_DATA_ERROR, RELIEF_DATA_ERROR_TRUNCATED, _("“%s” ends inside its IDX header"), path);
      return FALSE;
    }
  idx->count = read_be32 (header + 4);
  for (guint32 d = 1; d < n_dims; d++)
    item_size *= read_be32 (header + 4 + 4 * d);
  if (idx->count > G_MAXINT || item_size == 0 || item_size > G_MAXINT)
    {
      g_set_error (error, RELIEF_DATA_ERROR, RELIEF_DATA_ERROR_BAD_FORMAT, _("“%s” has implausible dimensions"), path);
      return FALSE;
    }
  items_len = (guint64) idx->count * item_size;
  /* The bytes, and the floats they become. */
  if (items_len > relief_file_memory_budget () / (1 + sizeof (float)))
    {
      g_set_error (error, RELIEF_DATA_ERROR, RELIEF_DATA_ERROR_INVALID,
                   _("“%s” declares %u items of %llu bytes, more than the memory available"), path, idx->count,
                   (unsigned long long) item_size);
      return FALSE;
    }
  data = g_malloc (MAX (items_len, 1));
  /* A large plain file's items are hashed on a thread of their own once read, while the
   * data set converts them (below, HashTail); the bytes after them must be none. */
  st->hash_paused = !st->gzip && items_len >= (1 << 20);
  if (!idx_stream_read (st, data, items_len, &got, error))
    return FALSE;
  if (got < items_len)
    {
      g_set_error (error, RELIEF_DATA_ERROR, RELIEF_DATA_ERROR_TRUNCATED,
                   _("“%s” is truncated: %u items of %llu bytes need %llu bytes, found %llu"),
                   path, idx->count, (unsigned long long) item_size, (unsigned long long) items_len,
                   (unsigned long long) got);
      return FALSE;
    }
  if (!idx_stream_read (st, &extra, 1, &got, error))
    return FALSE;
  if (got > 0)
    {
      g_set_error (error, RELIEF_DATA_ERROR, RELIEF_DATA_ERROR_BAD_FORMAT,
                   _("“%s” goes on after its %u items: another file appended to it, or a damaged header"), path,
                   idx->count);
      return FALSE;
    }
  idx->bytes = g_bytes_new_take (g_steal_pointer (&data), items_len);
  idx->items = g_bytes_get_data (idx->bytes, NULL);
  idx->item_size = item_size;
  if (st->hash_paused)
    {
      HashTail *tail = g_new (HashTail, 1);

      tail->hash = g_steal_pointer (&st->hash);
      tail->bytes = g_bytes_ref (idx->bytes);
      idx->hashing = g_thread_try_new ("relief-sha256", hash_tail_thread, tail, NULL);
      if (idx->hashing == NULL)
        idx->sha256 = hash_tail_thread (tail);
    }
  else
    idx->sha256 = relief_sha256_finish (g_steal_pointer (&st->hash));
  return TRUE;
}

static gboolean
idx_parse (const char *path, guint32 magic, IdxFile *idx, GError **error)
{
  g_autoptr (IdxStream) st = idx_stream_open (path, error);

  return st != NULL && idx_read (st, path, magic, idx, error);
}

/* Whether two files hold the same bytes once decompressed (a .gz beside its gunzipped
 * copy); FALSE with an error when either cannot be read. */
static gboolean
same_contents (const char *a, const char *b, gboolean *same, GError **error)
{
  g_autoptr (IdxStream) sa = idx_stream_open (a, error);
  g_autoptr (IdxStream) sb = sa != NULL ? idx_stream_open (b, error) : NULL;
  g_autofree guint8 *buf_a = g_malloc (1 << 16), *buf_b = g_malloc (1 << 16);
  gsize got_a, got_b;

  if (sb == NULL)
    return FALSE;
  *same = TRUE;
  while (*same)
    {
      if (!idx_stream_read (sa, buf_a, 1 << 16, &got_a, error) || !idx_stream_read (sb, buf_b, 1 << 16, &got_b, error))
        return FALSE;
      *same = got_a == got_b && memcmp (buf_a, buf_b, got_a) == 0;
      if (got_a == 0)
        break;
    }
  return TRUE;
}

/* dir/base, else dir/base.gz; both only when they hold the same data (a .gz kept beside
 * its gunzipped copy), since which one is meant cannot be told otherwise.  NULL with no
 * error when neither exists. */
static char *
find_idx_file (const char *dir, const char *base, GError **error)
{
  g_autofree char *plain = g_build_filename (dir, base, NULL);
  g_autofree char *gz = g_strconcat (plain, ".gz", NULL);
  gboolean has_plain = g_file_test (plain, G_FILE_TEST_IS_REGULAR), has_gz = g_file_test (gz, G_FILE_TEST_IS_REGULAR);
  gboolean same;

  if (has_plain && has_gz)
    {
      if (!same_contents (plain, gz, &same, error))
        return NULL;
      if (!same)
        {
          g_set_error (error, RELIEF_DATA_ERROR, RELIEF_DATA_ERROR_MISMATCH,
                       _("“%s” and “%s” differ: remove the one that is not meant"), plain, gz);
          return NULL;
        }
    }
  if (has_plain)
    return g_steal_pointer (&plain);
  if (has_gz)
    return g_steal_pointer (&gz);
  return NULL;
}

/* Loads one images/labels pair; count <= 0 keeps all. */
static gboolean
idx_load_pair (const char *images_path, const char *labels_path, IdxFile *images, IdxFile *labels, GError **error)
{
  if (!idx_parse (images_path, IDX_IMAGES_MAGIC, images, error) ||
      !idx_parse (labels_path, IDX_LABELS_MAGIC, labels, error))
    return FALSE;
  if (images->count != labels->count)
    {
      g_set_error (error, RELIEF_DATA_ERROR, RELIEF_DATA_ERROR_MISMATCH, _("“%s” holds %u images but “%s” %u labels"),
                   images_path, images->count, labels_path, labels->count);
      return FALSE;
    }
  return TRUE;
}

/* Writes a zero into every page of a fresh (calloc'd) buffer: its page faults, taken on a
 * thread of their own while the loader sums the pixels, not when the values are written. */
typedef struct {
  float *x[2];
  gsize  len[2];  /* in floats */
} Prefault;

static gpointer
prefault_thread (gpointer data)
{
  Prefault *pf = data;

  for (int k = 0; k < 2; k++)
    for (gsize i = 0; i < pf->len[k]; i += 1024)
      pf->x[k][i] = 0.0f;
  return NULL;
}

/* Scales the first pixels of each split to [0,1] and standardizes them as standardize ()
 * does the floats, in one pass over each split's bytes and one over the training set's
 * twice (its sums, in standardize ()'s order): the same bits, without writing the floats
 * twice and reading them three times.  The buffers' page faults are taken meanwhile. */
static void
idx_standardize (ReliefDataset *ds, const guint8 *train, const guint8 *test)
{
  gsize n_train = (gsize) ds->n_train * ds->n_features;
  gsize n_test = (gsize) ds->n_test * ds->n_features;
  float scaled[256], standardized[256];
  double sum = 0.0, sum_sq = 0.0, mean, var, std;
  Prefault pf = { { ds->x_train, ds->x_test }, { n_train, n_test } };
  GThread *prefault = n_train + n_test >= (1 << 20) ? g_thread_try_new ("relief-prefault", prefault_thread, &pf, NULL)
                                                    : NULL;

  for (int v = 0; v < 256; v++)
    scaled[v] = v / 255.0f;
  /* Adding a zero pixel leaves a sum of non-negative terms as it is: eight zero pixels in
   * a row (most of an MNIST digit's border) are skipped, the others added in order. */
  {
    gsize i = 0;

    for (; i + 8 <= n_train; i += 8)
      {
        guint64 eight;

        memcpy (&eight, train + i, sizeof eight);
        if (eight != 0)
          for (int k = 0; k < 8; k++)
            sum += scaled[train[i + k]];
      }
    for (; i < n_train; i++)
      sum += scaled[train[i]];
  }
  mean = n_train > 0 ? sum / n_train : 0.0;
  for (gsize i = 0; i < n_train; i++)
    sum_sq += (scaled[train[i]] - mean) * (scaled[train[i]] - mean);
  var = n_train > 0 ? sum_sq / n_train : 0.0;
  std = var > 1e-24 ? sqrt (var) : 1.0;

  for (int v = 0; v < 256; v++)
    standardized[v] = (float) ((scaled[v] - mean) / std);
  if (prefault != NULL)
    g_thread_join (prefault);
  for (gsize i = 0; i < n_train; i++)
    ds->x_train[i] = standardized[train[i]];
  for (gsize i = 0; i < n_test; i++)
    ds->x_test[i] = standardized[test[i]];
  ds->mean = mean;
  ds->std = std;
}

static gboolean
idx_copy_labels (const IdxFile *labels, const char *labels_path, int n, int32_t *y, int *max_label, GError **error)
{
  for (int i = 0; i < n; i++)
    {
      if (labels->items[i] >= IDX_MAX_CLASSES)
        {
          g_set_error (error, RELIEF_DATA_ERROR, RELIEF_DATA_ERROR_BAD_FORMAT,
                       _("“%s”: label %u of item %d is not a digit 0-9"), labels_path, labels->items[i], i);
          return FALSE;
        }
      y[i] = labels->items[i];
      *max_label = MAX (*max_label, y[i]);
    }
  return TRUE;
}

ReliefDataset *
relief_dataset_load_idx_dir (const char *dir, int max_train, int max_test, GError **error)
{
  g_autofree char *train_images_path = NULL, *train_labels_path = NULL;
  g_autofree char *test_images_path = NULL, *test_labels_path = NULL;
  g_auto (IdxFile) train_images = { 0 }, train_labels = { 0 }, test_images = { 0 }, test_labels = { 0 };
  g_autoptr (GPtrArray) paths = g_ptr_array_new ();
  g_autoptr (ReliefDataset) ds = NULL;
  g_autoptr (GError) local_error = NULL;
  g_autofree char *name = NULL;
  gboolean has_test;
  int n_train, n_test = 0, max_label = 0;

  if (!g_file_test (dir, G_FILE_TEST_IS_DIR))
    {
      g_set_error (error, RELIEF_DATA_ERROR, RELIEF_DATA_ERROR_NOT_FOUND, _("No directory “%s”"), dir);
      return NULL;
    }
  train_images_path = find_idx_file (dir, "train-images-idx3-ubyte", &local_error);
  if (local_error == NULL)
    train_labels_path = find_idx_file (dir, "train-labels-idx1-ubyte", &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }
  if (train_images_path == NULL || train_labels_path == NULL)
    {
      g_autofree char *missing = g_build_filename (dir, train_images_path == NULL ? "train-images-idx3-ubyte"
                                                                                  : "train-labels-idx1-ubyte", NULL);
      g_set_error (error, RELIEF_DATA_ERROR, RELIEF_DATA_ERROR_NOT_FOUND, _("Missing “%s” (or “%s.gz”)"), missing,
                   missing);
      return NULL;
    }
  if (!idx_load_pair (train_images_path, train_labels_path, &train_images, &train_labels, error))
    return NULL;
  g_ptr_array_add (paths, train_images_path);
  g_ptr_array_add (paths, train_labels_path);

  test_images_path = find_idx_file (dir, "t10k-images-idx3-ubyte", &local_error);
  if (local_error == NULL)
    test_labels_path = find_idx_file (dir, "t10k-labels-idx1-ubyte", &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }
  has_test = test_images_path != NULL || test_labels_path != NULL;
  if (has_test)
    {
      if (test_images_path == NULL || test_labels_path == NULL)
        {
          g_autofree char *missing = g_build_filename (dir, test_images_path == NULL ? "t10k-images-idx3-ubyte"
                                                                                     : "t10k-labels-idx1-ubyte", NULL);
          g_set_error (error, RELIEF_DATA_ERROR, RELIEF_DATA_ERROR_NOT_FOUND,
                       _("Missing “%s” (or “%s.gz”) beside the other test file"), missing, missing);
          return NULL;
        }
      if (!idx_load_pair (test_images_path, test_labels_path, &test_images, &test_labels, error))
        return NULL;
      if (test_images.item_size != train_images.item_size)
        {
          g_set_error (error, RELIEF_DATA_ERROR, RELIEF_DATA_ERROR_MISMATCH,
                       _("Test images have %llu pixels, training images %llu"),
                       (unsigned long long) test_images.item_size, (unsigned long long) train_images.item_size);
          return NULL;
        }
      g_ptr_array_add (paths, test_images_path);
      g_ptr_array_add (paths, test_labels_path);
      n_test = max_test > 0 ? MIN ((int) test_images.count, max_test) : (int) test_images.count;
    }
  n_train = max_train > 0 ? MIN ((int) train_images.count, max_train) : (int) train_images.count;
  if (n_train < 1)
    {
      g_set_error (error, RELIEF_DATA_ERROR, RELIEF_DATA_ERROR_INVALID, _("“%s” holds no images"), train_images_path);
      return NULL;
    }

  name = g_path_get_basename (dir);
  ds = relief_dataset_new (name, (int) train_images.item_size, 1, n_train, n_test);
  if (!idx_copy_labels (&train_labels, train_labels_path, n_train, ds->y_train, &max_label, error) ||
      (n_test > 0 && !idx_copy_labels (&test_labels, test_labels_path, n_test, ds->y_test, &max_label, error)))
    return NULL;
  ds->n_classes = max_label + 1;
  ds->generated = FALSE;
  idx_standardize (ds, train_images.items, n_test > 0 ? test_images.items : NULL);
  {
    char *sha256[4] = { idx_file_steal_sha256 (&train_images), idx_file_steal_sha256 (&train_labels),
                        has_test ? idx_file_steal_sha256 (&test_images) : NULL,
                        has_test ? idx_file_steal_sha256 (&test_labels) : NULL };

    record_sources (ds, (const char * const *) paths->pdata, sha256, paths->len);
  }
  return g_steal_pointer (&ds);
}

/* ---- CSV ---- */

static char *
unquote (char *cell)
{
  gsize len;

  g_strstrip (cell);
  len = strlen (cell);
  if (len >= 2 && cell[0] == '"' && cell[len - 1] == '"')
    {
      cell[len - 1] = '\0';
      return cell + 1;
    }
  return cell;
}

/* A decimal number, as CSV writers print them: digits, a sign, a point and an exponent,
 * nothing else (no hex, no inf or nan, no thousands separators). */
static gboolean
parse_number (const char *cell, double *out)
{
  char *end = NULL;

  if (*cell == '\0' || cell[strspn (cell, "0123456789+-.eE")] != '\0')
    return FALSE;
  *out = g_ascii_strtod (cell, &end);
  return end != cell && *end == '\0' && isfinite (*out);
}

/* The whole file as text: a regular file that fits in memory, with no NUL byte and valid
 * UTF-8 (a UTF-8 byte order mark, as spreadsheets write, is skipped); *sha256 the SHA-256
 * of its bytes. */
static char *
read_csv_text (const char *path, char **sha256, GError **error)
{
  g_autoptr (ReliefSha256) hash = relief_sha256_new ();
  g_autoptr (GError) local_error = NULL;
  g_autofree char *contents = NULL;
  const char *bad, *nul;
  GStatBuf st;
  gsize len;

  if (!g_file_test (path, G_FILE_TEST_EXISTS))
    {
      g_set_error (error, RELIEF_DATA_ERROR, RELIEF_DATA_ERROR_NOT_FOUND, _("No file “%s”"), path);
      return NULL;
    }
  if (!g_file_test (path, G_FILE_TEST_IS_REGULAR))
    {
      g_set_error (error, RELIEF_DATA_ERROR, RELIEF_DATA_ERROR_BAD_FORMAT, _("%s: not a regular file"), path);
      return NULL;
    }
  /* Rows are counted in int and the text with its values must fit in memory. */
  if (g_stat (path, &st) == 0 && ((guint64) st.st_size > G_MAXINT || (guint64) st.st_size * 3 > relief_file_memory_budget ()))
    {
      g_set_error (error, RELIEF_DATA_ERROR, RELIEF_DATA_ERROR_INVALID,
                   _("%s: %llu bytes, too large a CSV file for this machine (at most 2 GiB and a third of the memory "
                     "available)"), path, (unsigned long long) st.st_size);
      return NULL;
    }
  if (!g_file_get_contents (path, &contents, &len, &local_error))
    {
      g_set_error (error, RELIEF_DATA_ERROR, RELIEF_DATA_ERROR_BAD_FORMAT, _("%s"), local_error->message);
      return NULL;
    }
  if ((nul = memchr (contents, '\0', len)) != NULL)
    {
      g_set_error (error, RELIEF_DATA_ERROR, RELIEF_DATA_ERROR_BAD_FORMAT,
                   _("%s: a NUL byte at offset %llu: not a text file"), path,
                   (unsigned long long) (nul - contents));
      return NULL;
    }
  if (!g_utf8_validate_len (contents, len, &bad))
    {
      int line = 1;

      for (const char *c = contents; c < bad; c++)
        line += *c == '\n';
      g_set_error (error, RELIEF_DATA_ERROR, RELIEF_DATA_ERROR_BAD_FORMAT,
                   _("%s:%d: not UTF-8 text (save the file as UTF-8)"), path, line);
      return NULL;
    }
  relief_sha256_update (hash, contents, len);
  *sha256 = relief_sha256_finish (g_steal_pointer (&hash));
  if (g_str_has_prefix (contents, "\xef\xbb\xbf"))
    memmove (contents, contents + 3, len - 2);
  return g_steal_pointer (&contents);
}

ReliefDataset *
relief_dataset_load_csv (const char *path, const char *label_column, double test_fraction, guint64 seed,
                         GError **error)
{
  g_autofree char *contents = NULL;
  g_auto (GStrv) lines = NULL;
  g_auto (GStrv) header = NULL;
  g_autoptr (GArray) x = g_array_new (FALSE, FALSE, sizeof (float));
  g_autoptr (GArray) y = g_array_new (FALSE, FALSE, sizeof (int32_t));
  g_autofree char *sha256 = NULL;
  g_autofree int *perm = NULL;
  g_autoptr (ReliefDataset) ds = NULL;
  g_autofree char *name = NULL;
  int n_columns, label_index = -1, n_features, n_rows, n_test, max_label = 0, header_line = 0;

  if (!(test_fraction >= 0.0 && test_fraction <= 0.9))
    {
      g_set_error (error, RELIEF_DATA_ERROR, RELIEF_DATA_ERROR_INVALID,
                   _("The test fraction must be between 0 and 0.9, not %g"), test_fraction);
      return NULL;
    }
  if ((contents = read_csv_text (path, &sha256, error)) == NULL)
    return NULL;
  lines = g_strsplit (contents, "\n", -1);

  /* The header is the first non-blank line. */
  while (lines[header_line] != NULL && g_strstrip (lines[header_line])[0] == '\0')
    header_line++;
  if (lines[header_line] == NULL)
    {
      g_set_error (error, RELIEF_DATA_ERROR, RELIEF_DATA_ERROR_BAD_FORMAT, _("%s: empty file, expected a header row"),
                   path);
      return NULL;
    }
  header = g_strsplit (lines[header_line], ",", -1);
  n_columns = g_strv_length (header);
  {
    const char *wanted = label_column != NULL ? label_column : "label";
    int numeric = 0;

    for (int c = 0; c < n_columns; c++)
      {
        const char *column = unquote (header[c]);
        double value;

        numeric += parse_number (column, &value);
        if (strcmp (column, wanted) != 0)
          continue;
        if (label_index >= 0)
          {
            g_set_error (error, RELIEF_DATA_ERROR, RELIEF_DATA_ERROR_BAD_FORMAT,
                         _("%s:%d: columns %d and %d are both named “%s”: which is the label cannot be told"), path,
                         header_line + 1, label_index + 1, c + 1, wanted);
            return NULL;
          }
        label_index = c;
      }
    /* A first row of numbers is data, not names: taking it as the header would lose a
     * sample and guess the label. */
    if (numeric == n_columns)
      {
        g_set_error (error, RELIEF_DATA_ERROR, RELIEF_DATA_ERROR_BAD_FORMAT,
                     _("%s:%d: the first row holds numbers, not column names: add a header row naming the "
                       "columns, one of them “%s”"), path, header_line + 1, wanted);
        return NULL;
      }
    if (label_index < 0)
      {
        g_set_error (error, RELIEF_DATA_ERROR, RELIEF_DATA_ERROR_NOT_FOUND,
                     _("%s:%d: no column named “%s” in the header (the label column must be named so)"), path,
                     header_line + 1, wanted);
        return NULL;
      }
  }
  n_features = n_columns - 1;
  if (n_features < 1)
    {
      g_set_error (error, RELIEF_DATA_ERROR, RELIEF_DATA_ERROR_BAD_FORMAT,
                   _("%s:%d: the header needs a label column and at least one feature column"), path, header_line + 1);
      return NULL;
    }

  for (int l = header_line + 1; lines[l] != NULL; l++)
    {
      g_auto (GStrv) cells = NULL;
      int n_cells;

      if (g_strstrip (lines[l])[0] == '\0')
        continue;
      cells = g_strsplit (lines[l], ",", -1);
      n_cells = g_strv_length (cells);
      if (n_cells != n_columns)
        {
          g_set_error (error, RELIEF_DATA_ERROR, RELIEF_DATA_ERROR_BAD_FORMAT,
                       _("%s:%d: expected %d columns as in the header, found %d"), path, l + 1, n_columns, n_cells);
          return NULL;
        }
      for (int c = 0; c < n_cells; c++)
        {
          const char *cell = unquote (cells[c]);
          double value;

          if (!parse_number (cell, &value))
            {
              g_set_error (error, RELIEF_DATA_ERROR, RELIEF_DATA_ERROR_BAD_FORMAT,
                           _("%s:%d:%d: “%s” is not a number"), path, l + 1, c + 1, cell);
              return NULL;
            }
          if (c == label_index)
            {
              int32_t label;

              if (value != floor (value) || value < 0 || value >= CSV_MAX_CLASSES)
                {
                  g_set_error (error, RELIEF_DATA_ERROR, RELIEF_DATA_ERROR_BAD_FORMAT,
                               _("%s:%d:%d: label “%s” is not a class index 0..%d"), path, l + 1, c + 1, cell,
                               CSV_MAX_CLASSES - 1);
                  return NULL;
                }
              label = (int32_t) value;
              g_array_append_val (y, label);
              max_label = MAX (max_label, label);
            }
          else if (fabs (value) > FLT_MAX)
            {
              /* Features are 32-bit floats: 1e39 would become infinity. */
              g_set_error (error, RELIEF_DATA_ERROR, RELIEF_DATA_ERROR_BAD_FORMAT,
                           _("%s:%d:%d: “%s” is beyond the range of a 32-bit float (±3.4e38)"), path, l + 1, c + 1,
                           cell);
              return NULL;
            }
          else
            {
              float f = (float) value;
              g_array_append_val (x, f);
            }
        }
    }
  n_rows = y->len;
  if (n_rows < 1)
    {
      g_set_error (error, RELIEF_DATA_ERROR, RELIEF_DATA_ERROR_BAD_FORMAT, _("%s: no data rows after the header"), path);
      return NULL;
    }

  n_test = MIN ((int) floor (n_rows * test_fraction + 0.5), n_rows - 1);
  perm = g_new (int, n_rows);
  relief_rng_permutation (relief_rng_derive (seed, "split"), 0, perm, n_rows);
  name = g_path_get_basename (path);
  ds = relief_dataset_new (name, n_features, max_label + 1, n_rows - n_test, n_test);
  for (int i = 0; i < n_rows; i++)
    {
      int src = perm[i];
      float *dst_x = i < n_test ? ds->x_test + (gsize) i * n_features : ds->x_train + (gsize) (i - n_test) * n_features;

      memcpy (dst_x, &g_array_index (x, float, (gsize) src * n_features), n_features * sizeof (float));
      if (i < n_test)
        ds->y_test[i] = g_array_index (y, int32_t, src);
      else
        ds->y_train[i - n_test] = g_array_index (y, int32_t, src);
    }
  ds->generated = FALSE;
  standardize (ds);
  record_sources (ds, &path, &sha256, 1);
  return g_steal_pointer (&ds);
}

/* ---- dispatch ---- */

static const char * const installed_names[] = { "mnist", "fashion-mnist", NULL };

const char * const *
relief_dataset_installed_names (void)
{
  return installed_names;
}

char *
relief_dataset_find_installed (const char *name)
{
  g_autoptr(GPtrArray) dirs = g_ptr_array_new_with_free_func (g_free);
  const char * const *system_dirs = g_get_system_data_dirs ();

  if (g_getenv ("RELIEF_DATA_DIR"))
    g_ptr_array_add (dirs, g_build_filename (g_getenv ("RELIEF_DATA_DIR"), name, NULL));
  g_ptr_array_add (dirs, g_build_filename (g_get_user_data_dir (), "relief", "datasets", name, NULL));
  for (int i = 0; system_dirs[i] != NULL; i++)
    g_ptr_array_add (dirs, g_build_filename (system_dirs[i], "datasets", name, NULL));

  for (guint i = 0; i < dirs->len; i++)
    if (g_file_test (dirs->pdata[i], G_FILE_TEST_IS_DIR))
      return g_strdup (dirs->pdata[i]);
  return NULL;
}

ReliefDataset *
relief_dataset_open (const char *spec, const ReliefGeneratorParams *params, GError **error)
{
  return relief_dataset_open_first (spec, params, 0, error);
}

ReliefDataset *
relief_dataset_open_first (const char *spec, const ReliefGeneratorParams *params, int max_samples, GError **error)
{
  g_autofree char *valid = NULL;

  if (relief_generator_exists (spec))
    {
      ReliefGeneratorParams defaults;
      ReliefDataset *ds;

      if (params == NULL)
        {
          relief_generator_defaults (spec, &defaults);
          params = &defaults;
        }
      ds = relief_dataset_generate (spec, params, error);
      /* Generated samples are stored with the run: cutting them here is what reloads. */
      if (ds && max_samples > 0)
        {
          ds->n_train = MIN (ds->n_train, max_samples);
          ds->n_test = MIN (ds->n_test, max_samples);
        }
      return ds;
    }
  if (g_file_test (spec, G_FILE_TEST_IS_DIR))
    return relief_dataset_load_idx_dir (spec, max_samples, max_samples, error);
  if (g_strv_contains (installed_names, spec))
    {
      g_autofree char *dir = relief_dataset_find_installed (spec);
      ReliefDataset *ds;

      if (dir == NULL)
        {
          g_set_error (error, RELIEF_DATA_ERROR, RELIEF_DATA_ERROR_NOT_FOUND,
                       _("The data set “%s” is not installed; install it with "
                         "RELIEF_DATASETS=%s build-aux/relief-setup.sh deps"), spec, spec);
          return NULL;
        }
      ds = relief_dataset_load_idx_dir (dir, max_samples, max_samples, error);
      if (ds)
        {
          g_free (ds->name);
          ds->name = g_strdup (spec);
        }
      return ds;
    }
  if ((g_str_has_suffix (spec, ".csv") || g_str_has_suffix (spec, ".CSV")) && max_samples > 0)
    {
      /* A run reloads a CSV file whole and splits it again: a cut split would not reload. */
      g_set_error (error, RELIEF_DATA_ERROR, RELIEF_DATA_ERROR_INVALID,
                   _("Only the first samples of a generated or IDX data set can be kept, not of “%s”: "
                     "keep the first rows of the file instead"), spec);
      return NULL;
    }
  if (g_str_has_suffix (spec, ".csv") || g_str_has_suffix (spec, ".CSV"))
    return relief_dataset_load_csv (spec, NULL, params != NULL ? params->test_fraction : 0.2,
                                    params != NULL ? params->seed : 0, error);

  valid = g_strjoinv (", ", (char **) relief_generator_names ());
  g_set_error (error, RELIEF_DATA_ERROR, RELIEF_DATA_ERROR_NOT_FOUND,
               _("No generator, directory or CSV file named “%s” (generators: %s)"), spec, valid);
  return NULL;
}
