/* test-surface-engine.c: the landscape engine's surface-file fields round-trip, and an
 * interrupted surface resumed from its file equals an uninterrupted one. */
#include "relief-surface-file.h"
#include "relief-directions.h"
#include "relief-surface-eval.h"
#include "relief-rng.h"

#include <gio/gio.h>
#include <math.h>

#include "test-tmpdir.h"

static void
test_pca_fields (Fixture *f, gconstpointer data)
{
  g_autofree char *path = g_build_filename (f->dir, "pca.h5", NULL);
  g_autoptr(ReliefSurface) s = relief_surface_new (3, 2);
  g_autoptr(ReliefSurface) back = NULL;
  g_autoptr(GError) error = NULL;

  for (int i = 0; i < 6; i++)
    s->train_loss[i] = s->train_acc[i] = i;
  for (int i = 0; i < 3; i++)
    s->xcoords[i] = i;
  s->ycoords[1] = 1;
  s->run_file = g_strdup ("run.h5");
  s->checkpoint = 4;
  s->normalization = g_strdup ("none");
  s->direction_kind = g_strdup ("pca");
  s->bias_mode = g_strdup ("copy");
  s->max_samples = 100;
  s->explained_variance_ratio[0] = 0.75;
  s->explained_variance_ratio[1] = 0.125;
  s->n_proj = 4;
  s->proj_xcoord = g_new (double, 4);
  s->proj_ycoord = g_new (double, 4);
  for (int t = 0; t < 4; t++)
    {
      s->proj_xcoord[t] = t * 0.5;
      s->proj_ycoord[t] = -t / 3.0;
    }
  g_assert_true (relief_surface_save (s, path, &error));
  g_assert_no_error (error);
  back = relief_surface_load (path, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (back->direction_kind, ==, "pca");
  g_assert_cmpstr (back->bias_mode, ==, "copy");
  g_assert_cmpint (back->max_samples, ==, 100);
  g_assert_cmpint (back->to_checkpoint, ==, -1);
  g_assert_cmpfloat (back->explained_variance_ratio[0], ==, 0.75);
  g_assert_cmpfloat (back->explained_variance_ratio[1], ==, 0.125);
  g_assert_cmpint (back->n_proj, ==, 4);
  g_assert_cmpmem (back->proj_xcoord, 4 * sizeof (double), s->proj_xcoord, 4 * sizeof (double));
  g_assert_cmpmem (back->proj_ycoord, 4 * sizeof (double), s->proj_ycoord, 4 * sizeof (double));
}

static void
test_line_fields (Fixture *f, gconstpointer data)
{
  g_autofree char *path = g_build_filename (f->dir, "line.h5", NULL);
  g_autoptr(ReliefSurface) s = relief_surface_new (4, 1);
  g_autoptr(ReliefSurface) back = NULL;
  g_autoptr(GError) error = NULL;

  for (int i = 0; i < 4; i++)
    s->xcoords[i] = i * 0.5;
  s->run_file = g_strdup ("run.h5");
  s->checkpoint = 0;
  s->to_checkpoint = 7;
  s->normalization = g_strdup ("none");
  s->direction_kind = g_strdup ("line");
  g_assert_true (relief_surface_save (s, path, &error));
  back = relief_surface_load (path, &error);
  g_assert_no_error (error);
  g_assert_cmpint (back->to_checkpoint, ==, 7);
  g_assert_null (back->bias_mode);
  g_assert_true (isnan (back->explained_variance_ratio[0]));
  g_assert_cmpint (back->n_proj, ==, 0);
}

typedef struct {
  GCancellable *cancellable;
  int           calls;
} CancelAfter;

static void
on_cell (int ix, int iy, double loss, double acc, gpointer user_data)
{
  CancelAfter *c = user_data;

  if (++c->calls == 1)
    g_cancellable_cancel (c->cancellable);
}

static ReliefSurface *
new_surface (const ReliefMlpSpec *spec, const float *center)
{
  ReliefSurface *s = relief_surface_new (9, 7);
  gsize n = relief_mlp_spec_n_params (spec);

  for (int i = 0; i < 9; i++)
    s->xcoords[i] = -1 + i * 0.25;
  for (int i = 0; i < 7; i++)
    s->ycoords[i] = -0.5 + i * 0.2;
  s->test_loss = g_new (double, 63);
  s->test_acc = g_new (double, 63);
  for (int i = 0; i < 63; i++)
    s->test_loss[i] = s->test_acc[i] = NAN;
  s->run_file = g_strdup ("run.h5");
  s->checkpoint = 0;
  s->normalization = g_strdup ("filter");
  s->direction_kind = g_strdup ("random");
  s->spec = relief_mlp_spec_copy (spec);
  s->n_params = n;
  s->xdir = g_new (float, n);
  s->ydir = g_new (float, n);
  relief_direction_random (spec, center, 1, RELIEF_NORM_FILTER, RELIEF_BIAS_ZERO, s->xdir);
  relief_direction_random (spec, center, 2, RELIEF_NORM_FILTER, RELIEF_BIAS_ZERO, s->ydir);
  return s;
}

static gboolean
compute (ReliefBackend *be, const ReliefMlpSpec *spec, const float *center, ReliefSurface *s,
         const ReliefSamples *train, const ReliefSamples *test, CancelAfter *cancel, GError **error)
{
  return relief_surface_compute_progressive (be, spec, center, s->xdir, s->ydir, s->xcoords, s->nx, s->ycoords, s->ny,
                                             train, test, s->train_loss, s->train_acc, s->test_loss, s->test_acc,
                                             cancel != NULL ? on_cell : NULL, cancel,
                                             cancel != NULL ? cancel->cancellable : NULL, error);
}

static void
assert_same_grid (const double *a, const double *b, gsize n)
{
  for (gsize i = 0; i < n; i++)
    g_assert_true (a[i] == b[i] || (isnan (a[i]) && isnan (b[i])));
}

/* Cancel after the coarse wave, save, load the file, continue: the final file holds
 * exactly what an uninterrupted run writes. */
static void
test_resume_from_file (Fixture *f, gconstpointer data)
{
  const int sizes[] = { 3, 10, 4 };
  g_autoptr(ReliefMlpSpec) spec = relief_mlp_spec_new (sizes, 3, RELIEF_ACT_TANH, RELIEF_LOSS_CROSS_ENTROPY);
  g_autoptr(ReliefBackend) be = relief_backend_cpu_new ();
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *full_path = g_build_filename (f->dir, "full.h5", NULL);
  g_autofree char *part_path = g_build_filename (f->dir, "part.h5", NULL);
  g_autofree float *center = g_new (float, relief_mlp_spec_n_params (spec));
  float x[250 * 3];
  int32_t y[250];
  ReliefSamples train = { x, y, 180 }, test = { x + 180 * 3, y + 180, 70 };
  g_autoptr(ReliefSurface) full = NULL, part = NULL, resumed = NULL, full_back = NULL, final_back = NULL;
  CancelAfter cancel = { cancellable, 0 };
  int computed = 0;

  relief_mlp_init_params (spec, 9, center);
  relief_rng_normal_fill (10, 0, x, G_N_ELEMENTS (x));
  for (int i = 0; i < 250; i++)
    y[i] = (int32_t) (relief_rng_uniform (11, i) * 4);

  full = new_surface (spec, center);
  g_assert_true (compute (be, spec, center, full, &train, &test, NULL, &error));
  /* Every cell, or two grids of NaN would compare equal below. */
  for (int i = 0; i < 63; i++)
    g_assert_true (isfinite (full->train_loss[i]) && isfinite (full->train_acc[i]) &&
                   isfinite (full->test_loss[i]) && isfinite (full->test_acc[i]));
  g_assert_true (relief_surface_save (full, full_path, &error));

  part = new_surface (spec, center);
  g_assert_false (compute (be, spec, center, part, &train, &test, &cancel, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&error);
  g_assert_true (relief_surface_save (part, part_path, &error));
  for (int i = 0; i < 63; i++)
    computed += !isnan (part->train_loss[i]);
  g_assert_cmpint (computed, >, 0);
  g_assert_cmpint (computed, <, 63);

  resumed = relief_surface_load (part_path, &error);
  g_assert_no_error (error);
  g_assert_true (compute (be, spec, center, resumed, &train, &test, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (relief_surface_save (resumed, part_path, &error));

  full_back = relief_surface_load (full_path, &error);
  g_assert_no_error (error);
  final_back = relief_surface_load (part_path, &error);
  g_assert_no_error (error);
  assert_same_grid (final_back->train_loss, full_back->train_loss, 63);
  assert_same_grid (final_back->train_acc, full_back->train_acc, 63);
  assert_same_grid (final_back->test_loss, full_back->test_loss, 63);
  assert_same_grid (final_back->test_acc, full_back->test_acc, 63);
  g_assert_cmpmem (final_back->xdir, final_back->n_params * sizeof (float), full_back->xdir,
                   full_back->n_params * sizeof (float));
  g_assert_cmpmem (final_back->ydir, final_back->n_params * sizeof (float), full_back->ydir,
                   full_back->n_params * sizeof (float));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  g_test_add ("/surface-engine/pca-fields", Fixture, NULL, fixture_setup, test_pca_fields, fixture_teardown);
  g_test_add ("/surface-engine/line-fields", Fixture, NULL, fixture_setup, test_line_fields, fixture_teardown);
  g_test_add ("/surface-engine/resume-from-file", Fixture, NULL, fixture_setup, test_resume_from_file,
              fixture_teardown);
  return g_test_run ();
}
