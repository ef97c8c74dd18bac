/* relief-regions-file.c: linear-region files (docs/file-formats.md). */
#include "relief-regions-file.h"
#include <gio/gio.h>
#include "relief-enums.h"
#include "relief-h5.h"

#include <glib/gi18n-lib.h>
#include <math.h>
#include <string.h>

ReliefRegionsFile *
relief_regions_file_new (const ReliefMlpSpec *spec, const ReliefPlane *plane, const char *run_file)
{
  ReliefRegionsFile *rf = g_new0 (ReliefRegionsFile, 1);

  rf->spec = relief_mlp_spec_copy (spec);
  rf->plane = relief_plane_copy (plane);
  rf->run_file = g_strdup (run_file);
  rf->plane_kind = g_strdup ("input");
  rf->plane_samples[0] = rf->plane_samples[1] = rf->plane_samples[2] = -1;
  return rf;
}

void
relief_regions_file_free (ReliefRegionsFile *rf)
{
  if (rf == NULL)
    return;
  for (int c = 0; c < rf->n_checkpoints; c++)
    relief_regions_free (rf->checkpoints[c].regions);
  g_free (rf->checkpoints);
  g_clear_pointer (&rf->spec, relief_mlp_spec_free);
  g_clear_pointer (&rf->plane, relief_plane_free);
  g_free (rf->run_file);
  g_free (rf->plane_kind);
  g_free (rf);
}

void
relief_regions_file_add (ReliefRegionsFile *rf, int checkpoint, gint64 step, ReliefRegions *regions)
{
  ReliefRegionsCheckpoint *c;

  g_return_if_fail (regions != NULL);
  g_return_if_fail (rf->n_checkpoints == 0 || checkpoint > rf->checkpoints[rf->n_checkpoints - 1].checkpoint);

  rf->checkpoints = g_renew (ReliefRegionsCheckpoint, rf->checkpoints, rf->n_checkpoints + 1);
  c = &rf->checkpoints[rf->n_checkpoints++];
  c->checkpoint = checkpoint;
  c->step = step;
  c->regions = regions;
}

int
relief_regions_file_find (const ReliefRegionsFile *rf, const char *checkpoint, GError **error)
{
  g_autoptr(GString) held = NULL;
  gint64 index;
  char *end = NULL;

  if (rf->n_checkpoints > 0 && (checkpoint == NULL || strcmp (checkpoint, "last") == 0))
    return rf->n_checkpoints - 1;
  if (checkpoint != NULL)
    {
      index = g_ascii_strtoll (checkpoint, &end, 10);
      for (int c = 0; end != checkpoint && *end == '\0' && c < rf->n_checkpoints; c++)
        if (rf->checkpoints[c].checkpoint == index)
          return c;
    }
  held = g_string_new (NULL);
  for (int c = 0; c < rf->n_checkpoints; c++)
    g_string_append_printf (held, c == 0 ? "%d" : ", %d", rf->checkpoints[c].checkpoint);
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
               _("No checkpoint “%s” in the regions file (it holds %s)"), checkpoint ? checkpoint : "last",
               held->len > 0 ? held->str : _("none"));
  return -1;
}

/* H: the hidden neurons over all hidden layers. */
static int
hidden_neurons (const ReliefMlpSpec *spec)
{
  int h = 0;

  for (int l = 1; l < spec->n_layers; l++)
    h += spec->sizes[l];
  return h;
}

/* ---- saving ---- */

/* HDF5 wants a buffer even for an empty dataset. */
static gboolean
write_array (hid_t loc, const char *name, hid_t mem_type, hid_t file_type, int rank, const hsize_t *dims,
             const void *data, GError **error)
{
  static const double empty = 0;

  return relief_h5_write_dataset (loc, name, mem_type, file_type, rank, dims, data != NULL ? data : &empty, error);
}

/* The patterns, deflated.  They are arbitrary bytes, mostly zero for a real network, so
 * stored plainly they hold, sooner or later, sixteen that look like a reference into the
 * file's heap of strings (a small length, the heap's address, an index it lacks), and
 * relief_h5_open_kind's check of those references (data/relief-h5.c, against libhdf5
 * 1.10's crashes on corrupt ones) would refuse the file as damaged.  Deflated, they are
 * no such bytes; readers (h5py too) see the same [R, ceil(H / 8)] uint8.  (That check
 * also mistakes metadata for such a reference in files past 16 MiB: a group B-tree node's
 * child address and next key, read a byte off; that is for data/relief-h5.c to fix.) */
static gboolean
write_patterns (hid_t group, const ReliefRegions *r, GError **error)
{
  hsize_t dims[2] = { (hsize_t) r->n_regions, (hsize_t) r->pattern_bytes }, chunk[2];
  hid_t space, dcpl, dset;
  herr_t status;

  if (r->n_regions < 1 || r->pattern_bytes < 1)
    return write_array (group, "patterns", H5T_NATIVE_UINT8, H5T_STD_U8LE, 2, dims, r->patterns, error);
  chunk[0] = MIN (dims[0], MAX (1, 65536 / dims[1]));
  chunk[1] = dims[1];
  space = H5Screate_simple (2, dims, NULL);
  dcpl = H5Pcreate (H5P_DATASET_CREATE);
  dset = H5I_INVALID_HID;
  if (space >= 0 && dcpl >= 0 && H5Pset_chunk (dcpl, 2, chunk) >= 0 && H5Pset_deflate (dcpl, 6) >= 0)
    dset = H5Dcreate2 (group, "patterns", H5T_STD_U8LE, space, H5P_DEFAULT, dcpl, H5P_DEFAULT);
  if (dcpl >= 0)
    H5Pclose (dcpl);
  if (space >= 0)
    H5Sclose (space);
  if (dset < 0)
    {
      relief_h5_set_error (error, RELIEF_FILE_ERROR_IO, _("Cannot create dataset “%s”"), "patterns");
      return FALSE;
    }
  status = H5Dwrite (dset, H5T_NATIVE_UINT8, H5S_ALL, H5S_ALL, H5P_DEFAULT, r->patterns);
  H5Dclose (dset);
  if (status < 0)
    {
      relief_h5_set_error (error, RELIEF_FILE_ERROR_IO, _("Cannot write dataset “%s”"), "patterns");
      return FALSE;
    }
  return TRUE;
}

/* The polygons' vertices one polygon after the other, in order: a vertex shared by
 * several polygons is written once for each (the file's layout; merged again on load). */
static gboolean
write_checkpoint (hid_t file, const ReliefRegionsCheckpoint *c, GError **error)
{
  const ReliefRegions *r = c->regions;
  gsize n_rows = (gsize) r->polygon_offsets[r->n_regions];
  g_autofree double *rows = g_new (double, 2 * MAX (n_rows, 1));
  char name[48];
  hsize_t v2[2] = { n_rows, 2 }, off[1] = { (hsize_t) r->n_regions + 1 };
  hsize_t rr[1] = { r->n_regions }, aff[3] = { r->n_regions, r->n_outputs, 3 }, bd[2] = { r->n_boundary, 4 };
  hid_t group;
  gboolean ok;

  for (gsize i = 0; i < n_rows; i++)
    {
      gint64 v = r->polygon_vertices[i];

      rows[2 * i] = r->vertices[2 * v];
      rows[2 * i + 1] = r->vertices[2 * v + 1];
    }
  g_snprintf (name, sizeof name, "checkpoints/%d", c->checkpoint);
  group = H5Gcreate2 (file, name, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
  if (group < 0)
    {
      relief_h5_set_error (error, RELIEF_FILE_ERROR_IO, _("Cannot create group “%s”"), name);
      return FALSE;
    }
  ok = relief_h5_write_int_attr (group, "checkpoint", c->checkpoint, error) &&
       relief_h5_write_int_attr (group, "step", c->step, error) &&
       relief_h5_write_int_attr (group, "n_regions", r->n_regions, error) &&
       write_array (group, "vertices", H5T_NATIVE_DOUBLE, H5T_IEEE_F64LE, 2, v2, rows, error) &&
       write_array (group, "polygon_offsets", H5T_NATIVE_INT64, H5T_STD_I64LE, 1, off, r->polygon_offsets, error) &&
       write_patterns (group, r, error) &&
       write_array (group, "predicted", H5T_NATIVE_INT32, H5T_STD_I32LE, 1, rr, r->predicted, error) &&
       write_array (group, "affine", H5T_NATIVE_DOUBLE, H5T_IEEE_F64LE, 3, aff, r->affine, error) &&
       write_array (group, "boundary", H5T_NATIVE_DOUBLE, H5T_IEEE_F64LE, 2, bd, r->boundary, error);
  H5Gclose (group);
  return ok;
}

static gboolean
write_regions (hid_t file, gconstpointer data, GError **error)
{
  const ReliefRegionsFile *rf = data;
  const ReliefPlane *p = rf->plane;
  hsize_t d[1] = { p->n_inputs }, c[1] = { rf->n_checkpoints };
  g_autofree gint64 *indices = g_new (gint64, rf->n_checkpoints);
  g_autofree gint64 *steps = g_new (gint64, rf->n_checkpoints);
  gint64 samples[3] = { rf->plane_samples[0], rf->plane_samples[1], rf->plane_samples[2] };
  hid_t group;
  gboolean ok;

  for (int i = 0; i < rf->n_checkpoints; i++)
    {
      indices[i] = rf->checkpoints[i].checkpoint;
      steps[i] = rf->checkpoints[i].step;
    }
  ok = relief_h5_write_string_attr (file, "relief_format", relief_file_kind_name (RELIEF_FILE_KIND_REGIONS), error) &&
       relief_h5_write_int_attr (file, "relief_format_version", RELIEF_REGIONS_FORMAT_VERSION, error) &&
       relief_h5_write_string_attr (file, "run_file", rf->run_file, error) &&
       relief_h5_write_int_attr (file, "checkpoint", indices[rf->n_checkpoints - 1], error) &&
       relief_h5_write_string_attr (file, "activation",
                                    relief_enum_to_nick (RELIEF_TYPE_ACTIVATION, rf->spec->activation), error) &&
       relief_h5_write_int_attr (file, "n_hidden", hidden_neurons (rf->spec), error) &&
       relief_h5_write_string_attr (file, "plane", rf->plane_kind, error) &&
       relief_h5_write_int_array_attr (file, "plane_samples", samples, 3, error) &&
       relief_h5_write_double_attr (file, "umin", p->umin, error) &&
       relief_h5_write_double_attr (file, "umax", p->umax, error) &&
       relief_h5_write_double_attr (file, "vmin", p->vmin, error) &&
       relief_h5_write_double_attr (file, "vmax", p->vmax, error) &&
       relief_h5_write_model (file, rf->spec, error) &&
       relief_h5_write_dataset (file, "plane_origin", H5T_NATIVE_DOUBLE, H5T_IEEE_F64LE, 1, d, p->origin, error) &&
       relief_h5_write_dataset (file, "plane_du", H5T_NATIVE_DOUBLE, H5T_IEEE_F64LE, 1, d, p->du, error) &&
       relief_h5_write_dataset (file, "plane_dv", H5T_NATIVE_DOUBLE, H5T_IEEE_F64LE, 1, d, p->dv, error) &&
       relief_h5_write_dataset (file, "checkpoint_index", H5T_NATIVE_INT64, H5T_STD_I64LE, 1, c, indices, error) &&
       relief_h5_write_dataset (file, "checkpoint_step", H5T_NATIVE_INT64, H5T_STD_I64LE, 1, c, steps, error);
  if (!ok)
    return FALSE;
  group = H5Gcreate2 (file, "checkpoints", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
  if (group < 0)
    {
      relief_h5_set_error (error, RELIEF_FILE_ERROR_IO, _("Cannot create group “%s”"), "checkpoints");
      return FALSE;
    }
  H5Gclose (group);
  for (int i = 0; ok && i < rf->n_checkpoints; i++)
    ok = write_checkpoint (file, &rf->checkpoints[i], error);
  return ok;
}

gboolean
relief_regions_file_save (const ReliefRegionsFile *rf, const char *path, GError **error)
{
  if (rf->run_file == NULL || rf->n_checkpoints < 1 || rf->plane_kind == NULL)
    {
      g_set_error_literal (error, RELIEF_FILE_ERROR, RELIEF_FILE_ERROR_CORRUPT,
                           _("Linear regions need their run file and at least one checkpoint to be saved"));
      return FALSE;
    }
  return relief_h5_save_atomic (path, write_regions, rf, error);
}

/* ---- loading ---- */

static gboolean
read_bounded (hid_t loc, const char *name, gint64 min, gint64 max, gint64 *out, GError **error)
{
  return relief_h5_read_int_attr (loc, name, out, error) &&
         relief_h5_check_setting (name, (double) *out, (double) min, FALSE, (double) max, FALSE, error);
}

/* Polygon vertices written once per polygon, merged back into one shared table: copies
 * of one vertex are the same doubles. */
static void
merge_vertices (ReliefRegions *r, double *rows, gsize n_rows)
{
  g_autoptr(GHashTable) seen = g_hash_table_new (g_bytes_hash, g_bytes_equal);
  g_autoptr(GPtrArray) keys = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  gsize n = 0;

  r->polygon_vertices = g_new (gint64, MAX (n_rows, 1));
  r->vertices = g_new (double, 2 * MAX (n_rows, 1));
  for (gsize i = 0; i < n_rows; i++)
    {
      GBytes *key = g_bytes_new (rows + 2 * i, 2 * sizeof (double));
      gpointer found;

      if (g_hash_table_lookup_extended (seen, key, NULL, &found))
        {
          r->polygon_vertices[i] = GPOINTER_TO_SIZE (found) - 1;
          g_bytes_unref (key);
          continue;
        }
      r->vertices[2 * n] = rows[2 * i];
      r->vertices[2 * n + 1] = rows[2 * i + 1];
      r->polygon_vertices[i] = (gint64) n;
      g_hash_table_insert (seen, key, GSIZE_TO_POINTER (n + 1));
      g_ptr_array_add (keys, key);
      n++;
    }
  r->n_vertices = n;
}

static gboolean
read_checkpoint (hid_t file, const ReliefRegionsFile *rf, int H, int K, ReliefRegionsCheckpoint *c, GError **error)
{
  const ReliefPlane *p = rf->plane;
  g_autoptr(ReliefRegions) r = g_new0 (ReliefRegions, 1);
  g_autofree double *rows = NULL;
  char name[48];
  hsize_t dims[RELIEF_H5_MAX_RANK], want[3];
  gint64 n_regions = 0, step = 0;
  double du = (p->umax - p->umin) * 1e-6, dv = (p->vmax - p->vmin) * 1e-6;
  int rank = 0;
  gsize n_rows;
  hid_t group;
  gboolean ok;

  g_snprintf (name, sizeof name, "checkpoints/%d", c->checkpoint);
  group = relief_h5_open_group (file, name, error);
  if (group < 0)
    return FALSE;
  r->n_hidden = H;
  r->pattern_bytes = (H + 7) / 8;
  r->n_outputs = K;
  ok = read_bounded (group, "n_regions", 1, G_MAXINT - 1, &n_regions, error) &&
       read_bounded (group, "step", 0, G_MAXINT64, &step, error);
  if (ok)
    {
      r->n_regions = (int) n_regions;
      want[0] = (hsize_t) n_regions + 1;
      ok = (r->polygon_offsets = relief_h5_read_shaped (group, "polygon_offsets", H5T_NATIVE_INT64, sizeof (gint64), 1, want,
                                              error)) != NULL;
    }
  ok = ok && (rows = relief_h5_read_dataset (group, "vertices", H5T_NATIVE_DOUBLE, sizeof (double), &rank, dims,
                                             error)) != NULL;
  if (ok && (rank != 2 || dims[1] != 2))
    ok = relief_h5_corrupt (error, _("“vertices” must be [V, 2]"));
  n_rows = ok ? (gsize) dims[0] : 0;
  if (ok && r->polygon_offsets[0] != 0)
    ok = relief_h5_corrupt (error, _("“polygon_offsets” must start at 0"));
  for (int i = 0; ok && i < r->n_regions; i++)
    /* offsets[i] is within [0, V] here (checked at i - 1), so offsets[i] + 3 does not
     * overflow; offsets[i + 1] - offsets[i] would, for a value below -2^63 + V. */
    if (r->polygon_offsets[i + 1] < r->polygon_offsets[i] + 3 || r->polygon_offsets[i + 1] > (gint64) n_rows)
      ok = relief_h5_corrupt (error, _("“polygon_offsets” must ascend by at least 3 vertices a polygon, up to the %" G_GSIZE_FORMAT
                             " vertices (polygon %d)"), n_rows, i);
  if (ok && r->polygon_offsets[r->n_regions] != (gint64) n_rows)
    ok = relief_h5_corrupt (error, _("“polygon_offsets” ends at %lld, not at the %" G_GSIZE_FORMAT " vertices"),
                  (long long) r->polygon_offsets[r->n_regions], n_rows);
  for (gsize i = 0; ok && i < n_rows; i++)
    {
      double u = rows[2 * i], v = rows[2 * i + 1];

      if (!isfinite (u) || !isfinite (v) || u < p->umin - du || u > p->umax + du || v < p->vmin - dv ||
          v > p->vmax + dv)
        ok = relief_h5_corrupt (error, _("vertex %" G_GSIZE_FORMAT " (%g, %g) is not inside the plane’s rectangle"), i, u, v);
    }
  want[0] = (hsize_t) n_regions;
  want[1] = (hsize_t) r->pattern_bytes;
  ok = ok && (r->patterns = relief_h5_read_shaped (group, "patterns", H5T_NATIVE_UINT8, 1, 2, want, error)) != NULL &&
       (r->predicted = relief_h5_read_shaped (group, "predicted", H5T_NATIVE_INT32, sizeof (gint32), 1, want, error)) != NULL;
  want[1] = (hsize_t) K;
  want[2] = 3;
  ok = ok && (r->affine = relief_h5_read_shaped (group, "affine", H5T_NATIVE_DOUBLE, sizeof (double), 3, want, error)) != NULL &&
       relief_h5_check_values ("affine", r->affine, (gsize) n_regions * K * 3, -G_MAXDOUBLE, G_MAXDOUBLE, FALSE, error);
  for (int i = 0; ok && i < r->n_regions; i++)
    if (r->predicted[i] < 0 || r->predicted[i] >= K)
      ok = relief_h5_corrupt (error, _("“predicted” holds class %d of region %d; the model has %d classes"), r->predicted[i], i, K);
  ok = ok && (r->boundary = relief_h5_read_dataset (group, "boundary", H5T_NATIVE_DOUBLE, sizeof (double), &rank,
                                                    dims, error)) != NULL;
  if (ok && (rank != 2 || dims[1] != 4))
    ok = relief_h5_corrupt (error, _("“boundary” must be [B, 4]"));
  if (ok)
    {
      r->n_boundary = (gsize) dims[0];
      ok = relief_h5_check_values ("boundary", r->boundary, r->n_boundary * 4, -G_MAXDOUBLE, G_MAXDOUBLE, FALSE,
                                   error);
    }
  H5Gclose (group);
  if (!ok)
    {
      g_prefix_error (error, _("%s: "), name);
      return FALSE;
    }
  merge_vertices (r, rows, n_rows);
  r->n_active = g_new0 (int, r->n_regions);
  for (int i = 0; i < r->n_regions; i++)
    for (int j = 0; j < H; j++)
      r->n_active[i] += (r->patterns[(gsize) i * r->pattern_bytes + j / 8] >> (7 - j % 8)) & 1;
  c->step = step;
  c->regions = g_steal_pointer (&r);
  return TRUE;
}

static gboolean
read_plane (hid_t file, ReliefRegionsFile *rf, int D, GError **error)
{
  ReliefPlane *p = g_new0 (ReliefPlane, 1);
  hsize_t d[1] = { D };
  gint64 *samples = NULL;
  gsize n_samples = 0;
  gboolean ok;

  rf->plane = p;
  p->n_inputs = D;
  ok = (rf->plane_kind = relief_h5_read_string_attr (file, "plane", error)) != NULL &&
       (samples = relief_h5_read_int_array_attr (file, "plane_samples", &n_samples, error)) != NULL &&
       relief_h5_read_double_attr (file, "umin", &p->umin, error) &&
       relief_h5_read_double_attr (file, "umax", &p->umax, error) &&
       relief_h5_read_double_attr (file, "vmin", &p->vmin, error) &&
       relief_h5_read_double_attr (file, "vmax", &p->vmax, error) &&
       (p->origin = relief_h5_read_shaped (file, "plane_origin", H5T_NATIVE_DOUBLE, sizeof (double), 1, d, error)) != NULL &&
       (p->du = relief_h5_read_shaped (file, "plane_du", H5T_NATIVE_DOUBLE, sizeof (double), 1, d, error)) != NULL &&
       (p->dv = relief_h5_read_shaped (file, "plane_dv", H5T_NATIVE_DOUBLE, sizeof (double), 1, d, error)) != NULL &&
       relief_h5_check_values ("plane_origin", p->origin, D, -G_MAXDOUBLE, G_MAXDOUBLE, FALSE, error) &&
       relief_h5_check_values ("plane_du", p->du, D, -G_MAXDOUBLE, G_MAXDOUBLE, FALSE, error) &&
       relief_h5_check_values ("plane_dv", p->dv, D, -G_MAXDOUBLE, G_MAXDOUBLE, FALSE, error);
  if (ok && (!isfinite (p->umin) || !isfinite (p->umax) || !isfinite (p->vmin) || !isfinite (p->vmax) ||
             !(p->umin < p->umax) || !(p->vmin < p->vmax)))
    ok = relief_h5_corrupt (error, _("The plane’s rectangle [%g, %g] × [%g, %g] is not a finite rectangle"), p->umin, p->umax,
                  p->vmin, p->vmax);
  if (ok && strcmp (rf->plane_kind, "input") != 0 && strcmp (rf->plane_kind, "samples") != 0)
    ok = relief_h5_corrupt (error, _("“plane” is “%s”, not input or samples"), rf->plane_kind);
  if (ok && n_samples != 3)
    ok = relief_h5_corrupt (error, _("“plane_samples” must hold 3 indices"));
  for (int i = 0; ok && i < 3; i++)
    {
      if (samples[i] < -1 || samples[i] > G_MAXINT)
        ok = relief_h5_corrupt (error, _("“plane_samples” holds %lld, not a sample index"), (long long) samples[i]);
      else
        rf->plane_samples[i] = (int) samples[i];
    }
  g_free (samples);
  return ok;
}

static ReliefRegionsFile *
regions_load (const char *path, GError **error)
{
  g_autoptr(ReliefRegionsFile) rf = g_new0 (ReliefRegionsFile, 1);
  g_autofree gint64 *indices = NULL, *steps = NULL;
  ReliefFileKind kind;
  hsize_t dims[RELIEF_H5_MAX_RANK];
  int rank = 0, H, K;
  hid_t file;
  gboolean ok;

  file = relief_h5_open_kind (path, &kind, error);
  if (file < 0)
    return NULL;
  if (kind != RELIEF_FILE_KIND_REGIONS)
    {
      g_set_error (error, RELIEF_FILE_ERROR, RELIEF_FILE_ERROR_WRONG_KIND, _("“%s” is %s, not linear regions"), path,
                   _(relief_file_kind_info (kind)->description));
      H5Fclose (file);
      return NULL;
    }
  ok = (rf->spec = relief_h5_read_model (file, error)) != NULL &&
       (rf->run_file = relief_h5_read_string_attr (file, "run_file", error)) != NULL &&
       read_plane (file, rf, rf->spec->sizes[0], error);
  H = ok ? hidden_neurons (rf->spec) : 0;
  K = ok ? rf->spec->sizes[rf->spec->n_layers] : 0;
  ok = ok && (indices = relief_h5_read_dataset (file, "checkpoint_index", H5T_NATIVE_INT64, sizeof (gint64), &rank,
                                                dims, error)) != NULL;
  if (ok && (rank != 1 || dims[0] < 1 || dims[0] > G_MAXINT))
    ok = relief_h5_corrupt (error, _("“checkpoint_index” must hold at least one checkpoint"));
  ok = ok && (steps = relief_h5_read_shaped (file, "checkpoint_step", H5T_NATIVE_INT64, sizeof (gint64), 1, dims, error)) != NULL;
  for (hsize_t i = 0; ok && i < dims[0]; i++)
    if (indices[i] < 0 || indices[i] > G_MAXINT || (i > 0 && indices[i] <= indices[i - 1]))
      ok = relief_h5_corrupt (error, _("“checkpoint_index” must ascend from 0 (value %d)"), (int) i + 1);
  if (ok)
    {
      rf->checkpoints = g_new0 (ReliefRegionsCheckpoint, dims[0]);
      for (hsize_t i = 0; ok && i < dims[0]; i++)
        {
          rf->checkpoints[i].checkpoint = (int) indices[i];
          ok = read_checkpoint (file, rf, H, K, &rf->checkpoints[i], error);
          if (ok)
            rf->n_checkpoints++;
          if (ok && rf->checkpoints[i].step != steps[i])
            ok = relief_h5_corrupt (error, _("checkpoint %d is at step %lld, but “checkpoint_step” says %lld"),
                          rf->checkpoints[i].checkpoint, (long long) rf->checkpoints[i].step, (long long) steps[i]);
        }
    }
  H5Fclose (file);
  if (!ok)
    {
      g_prefix_error (error, _("%s: "), path);
      return NULL;
    }
  return g_steal_pointer (&rf);
}

ReliefRegionsFile *
relief_regions_file_load (const char *path, GError **error)
{
  ReliefH5Quiet quiet;
  ReliefRegionsFile *rf;

  relief_h5_quiet_begin (&quiet);
  rf = regions_load (path, error);
  relief_h5_quiet_end (&quiet);
  return rf;
}
