/* bench-regions.c: the exact linear-region partition (relief_regions_compute) and local
 * complexity, timed.
 *
 *   bench-regions [--mnist DIR] [--backend cpu|cuda] [--repeats N] [--grid N]
 *
 * Partitions, each the median of the repeats: 2-16-16-16-2 ReLU at initialization and
 * after training on the spiral (relief_train, Adam, 200 epochs), the input plane
 * [-3, 3]^2; 2-w-w-2 for w = 32 .. 256 (how the time grows with the number of regions);
 * 784-200-200-10 on the plane through three MNIST training images (when MNIST is there:
 * $RELIEF_MNIST_DIR, or data-cache/mnist, or $RELIEF_DATA_DIR/mnist) and through three
 * random points of [0, 1]^784 (always), u and v over [-0.25, 1.25].  Beside each 2D
 * partition, the naive baseline: the distinct activation patterns on an N x N grid (512),
 * the network evaluated in float64 at every grid point, as a NumPy user would sample it;
 * it can only undercount.  Then local complexity of the MNIST net around 1000 points with
 * 25 directions on the backend (MNIST images, or the random points without MNIST).
 * Exit status 2: bad arguments. */
#include "relief-generators.h"
#include "relief-loaders.h"
#include "relief-regions.h"
#include "relief-rng.h"
#include "relief-train.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int
cmp_double (const void *a, const void *b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return (x > y) - (x < y);
}

static double
median (double *t, int n)
{
  qsort (t, n, sizeof (double), cmp_double);
  return n % 2 ? t[n / 2] : 0.5 * (t[n / 2 - 1] + t[n / 2]);
}

static void
print_cpu (void)
{
  g_autofree char *out = NULL;
  g_auto(GStrv) lines = NULL;

  if (!g_spawn_command_line_sync ("lscpu", &out, NULL, NULL, NULL) || out == NULL)
    {
      printf ("CPU: (lscpu failed)\n");
      return;
    }
  lines = g_strsplit (out, "\n", -1);
  for (char **l = lines; *l != NULL; l++)
    if (g_str_has_prefix (*l, "Model name:"))
      printf ("CPU: %s\n", g_strstrip (*l + strlen ("Model name:")));
}

/* The naive baseline: distinct activation patterns over an n x n grid of the plane's
 * rectangle, the network in float64 at each point. */
static int
grid_patterns (const ReliefMlpSpec *spec, const float *params, const ReliefPlane *plane, int n)
{
  int L = spec->n_layers, widest = 0, H = 0, bytes;
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_bytes_hash, g_bytes_equal, (GDestroyNotify) g_bytes_unref, NULL);

  for (int l = 0; l <= L; l++)
    widest = MAX (widest, spec->sizes[l]);
  for (int l = 1; l < L; l++)
    H += spec->sizes[l];
  bytes = (H + 7) / 8;
  {
    g_autofree double *a = g_new (double, MAX (widest, plane->n_inputs)), *z = g_new (double, widest);
    g_autofree guint8 *pat = g_new0 (guint8, MAX (bytes, 1));

    for (int i = 0; i < n; i++)
      for (int j = 0; j < n; j++)
        {
          double u = plane->umin + (i + 0.5) * (plane->umax - plane->umin) / n;
          double v = plane->vmin + (j + 0.5) * (plane->vmax - plane->vmin) / n;
          int bit = 0;

          memset (pat, 0, MAX (bytes, 1));
          for (int c = 0; c < plane->n_inputs; c++)
            a[c] = plane->origin[c] + u * plane->du[c] + v * plane->dv[c];
          for (int l = 0; l + 1 < L; l++)
            {
              int in = spec->sizes[l], out = spec->sizes[l + 1];
              const float *w = params + relief_mlp_spec_weight_offset (spec, l);
              const float *b = params + relief_mlp_spec_bias_offset (spec, l);

              for (int k = 0; k < out; k++)
                {
                  double s = b[k];

                  for (int c = 0; c < in; c++)
                    s += (double) w[(gsize) k * in + c] * a[c];
                  z[k] = s;
                }
              for (int k = 0; k < out; k++, bit++)
                {
                  if (z[k] > 0)
                    pat[bit / 8] |= (guint8) (0x80u >> (bit % 8));
                  a[k] = z[k] > 0 ? z[k] : 0;
                }
            }
          g_hash_table_add (seen, g_bytes_new (pat, bytes));
        }
  }
  return (int) g_hash_table_size (seen);
}

/* Times the partition (median of repeats) and prints a row; with grid > 0 the baseline too. */
static void
bench_partition (const char *label, const ReliefMlpSpec *spec, const float *params, const ReliefPlane *plane,
                 int repeats, int grid)
{
  g_autofree double *t = g_new (double, repeats);
  g_autoptr(GError) error = NULL;
  int n_regions = 0;
  gsize n_vertices = 0, n_boundary = 0;
  double ms;

  for (int r = 0; r < repeats; r++)
    {
      gint64 t0 = g_get_monotonic_time ();
      g_autoptr(ReliefRegions) rg = relief_regions_compute (spec, params, plane, 0, NULL, &error);

      t[r] = (g_get_monotonic_time () - t0) / 1e3;
      if (rg == NULL)
        {
          printf ("%-34s failed: %s\n", label, error->message);
          return;
        }
      n_regions = rg->n_regions;
      n_vertices = rg->n_vertices;
      n_boundary = rg->n_boundary;
    }
  ms = median (t, repeats);
  printf ("%-34s %8d regions %8" G_GSIZE_FORMAT " vertices %6" G_GSIZE_FORMAT " boundary  %9.3f ms  %7.3f ms/1000 regions",
          label, n_regions, n_vertices, n_boundary, ms, 1000 * ms / n_regions);
  if (grid > 0)
    {
      gint64 t0 = g_get_monotonic_time ();
      int found = grid_patterns (spec, params, plane, grid);
      double grid_ms = (g_get_monotonic_time () - t0) / 1e3;

      printf ("  | grid %dx%d: %d patterns, %.1f ms (%.0fx the exact partition's time)", grid, grid, found, grid_ms,
              grid_ms / ms);
    }
  printf ("\n");
  fflush (stdout);
}

static ReliefMlpSpec *
net (const int *sizes, int n_sizes, guint64 seed, float **params)
{
  ReliefMlpSpec *spec = relief_mlp_spec_new (sizes, n_sizes, RELIEF_ACT_RELU, RELIEF_LOSS_CROSS_ENTROPY);

  *params = g_new (float, relief_mlp_spec_n_params (spec));
  relief_mlp_init_params (spec, seed, *params);
  return spec;
}

static char *
default_mnist_dir (void)
{
  const char *env = g_getenv ("RELIEF_MNIST_DIR"), *data_dir = g_getenv ("RELIEF_DATA_DIR");

  if (env != NULL && *env != '\0')
    return g_strdup (env);
  if (g_file_test ("data-cache/mnist", G_FILE_TEST_IS_DIR))
    return g_strdup ("data-cache/mnist");
  if (data_dir != NULL && *data_dir != '\0')
    return g_build_filename (data_dir, "mnist", NULL);
  return g_build_filename (g_get_user_data_dir (), "relief", "datasets", "mnist", NULL);
}

int
main (int argc, char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = NULL, *backend_name = NULL;
  int repeats = 5, grid = 512;
  GOptionEntry entries[] = {
    { "mnist", 0, 0, G_OPTION_ARG_FILENAME, &dir, "MNIST's folder", "DIR" },
    { "backend", 0, 0, G_OPTION_ARG_STRING, &backend_name, "Local complexity's backend: cpu or cuda (cpu)", "NAME" },
    { "repeats", 0, 0, G_OPTION_ARG_INT, &repeats, "Timed repeats of each partition (5)", "N" },
    { "grid", 0, 0, G_OPTION_ARG_INT, &grid, "The baseline's grid, N x N (512; 0: no baseline)", "N" },
    { NULL },
  };
  g_autoptr(GOptionContext) context = g_option_context_new ("- exact linear regions and local complexity");
  g_autoptr(ReliefBackend) be = NULL;
  g_autoptr(ReliefDataset) mnist = NULL;
  g_autoptr(ReliefPlane) input = relief_plane_new_input (-3, 3, -3, 3);
  static const int small[] = { 2, 16, 16, 16, 2 }, big[] = { 784, 200, 200, 10 };
  g_autofree float *p_small = NULL, *p_big = NULL, *random_pts = NULL;
  g_autoptr(ReliefMlpSpec) s_small = net (small, G_N_ELEMENTS (small), 0, &p_small);
  g_autoptr(ReliefMlpSpec) s_big = net (big, G_N_ELEMENTS (big), 0, &p_big);

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error) || repeats < 1 || grid < 0)
    {
      g_printerr ("%s\n", error != NULL ? error->message : "--repeats takes 1 or more, --grid 0 or more");
      return 2;
    }
  be = relief_backend_new (backend_name != NULL ? backend_name : "cpu", &error);
  if (be == NULL)
    {
      g_printerr ("%s\n", error->message);
      return 2;
    }
  print_cpu ();
  printf ("partition: median of %d runs, one thread; baseline: distinct patterns on a grid, float64\n", repeats);

  bench_partition ("2-16-16-16-2 init", s_small, p_small, input, repeats, grid);
  {
    ReliefGeneratorParams gp;
    ReliefTrainConfig config;
    g_autoptr(ReliefDataset) spiral = NULL;
    g_autofree float *trained = g_memdup2 (p_small, sizeof (float) * relief_mlp_spec_n_params (s_small));
    ReliefTrainStatus status;

    relief_generator_defaults ("spiral", &gp);
    gp.n_classes = 2;
    spiral = relief_dataset_generate ("spiral", &gp, &error);
    relief_train_config_init_defaults (&config);
    config.optimizer.kind = RELIEF_OPT_ADAM;
    config.optimizer.lr = 0.01f;
    config.batch_size = 64;
    config.epochs = 200;
    status = spiral != NULL ? relief_train (be, s_small, spiral, &config, trained, NULL, NULL, &error)
                            : RELIEF_TRAIN_FAILED;
    if (status == RELIEF_TRAIN_COMPLETED)
      bench_partition ("2-16-16-16-2 trained (spiral)", s_small, trained, input, repeats, grid);
    else
      printf ("2-16-16-16-2 trained: training failed: %s\n", error != NULL ? error->message : "(diverged)");
    g_clear_error (&error);
  }
  for (int w = 32; w <= 256; w *= 2)
    {
      int sizes[] = { 2, w, w, 2 };
      g_autofree float *p = NULL;
      g_autoptr(ReliefMlpSpec) s = net (sizes, 4, 0, &p);
      g_autofree char *label = g_strdup_printf ("2-%d-%d-2 init", w, w);

      bench_partition (label, s, p, input, repeats, w <= 64 ? grid : 0);
    }

  random_pts = g_new (float, 1000 * 784);
  relief_rng_uniform_fill (5, 0, 0, 1, random_pts, 1000 * 784);
  {
    g_autoptr(ReliefPlane) plane = relief_plane_new_through (784, random_pts, random_pts + 784, random_pts + 1568,
                                                             -0.25, 1.25, -0.25, 1.25, &error);

    bench_partition ("784-200-200-10 random points", s_big, p_big, plane, repeats, 0);
  }
  if (dir == NULL)
    dir = default_mnist_dir ();
  mnist = relief_dataset_load_idx_dir (dir, 1000, 0, &error);
  if (mnist == NULL)
    {
      printf ("784-200-200-10 MNIST: skipped, no MNIST in %s (%s)\n", dir, error->message);
      g_clear_error (&error);
    }
  else
    {
      g_autoptr(ReliefPlane) plane = NULL;
      int idx[3] = { 0, -1, -1 };

      /* Three training images of different classes. */
      for (int i = 1; i < mnist->n_train && idx[2] < 0; i++)
        {
          if (idx[1] < 0 && mnist->y_train[i] != mnist->y_train[idx[0]])
            idx[1] = i;
          else if (idx[1] >= 0 && mnist->y_train[i] != mnist->y_train[idx[0]] &&
                   mnist->y_train[i] != mnist->y_train[idx[1]])
            idx[2] = i;
        }
      plane = relief_plane_new_through (784, mnist->x_train + (gsize) idx[0] * 784, mnist->x_train + (gsize) idx[1] * 784,
                                        mnist->x_train + (gsize) idx[2] * 784, -0.25, 1.25, -0.25, 1.25, &error);
      if (plane != NULL)
        bench_partition ("784-200-200-10 MNIST images", s_big, p_big, plane, repeats, 0);
      else
        printf ("784-200-200-10 MNIST: %s\n", error->message);
      g_clear_error (&error);
    }

  {
    const float *pts = mnist != NULL && mnist->n_train >= 1000 ? mnist->x_train : random_pts;
    g_autofree int *total = g_new (int, 1000);
    g_autofree int *per_layer = g_new (int, 1000 * 3);
    double t[3], mean = 0, layer_mean[3] = { 0, 0, 0 };
    gboolean ok = TRUE;

    for (int r = 0; r < 3 && ok; r++)
      {
        gint64 t0 = g_get_monotonic_time ();

        ok = relief_local_complexity (be, s_big, p_big, pts, 1000, 0.1, 25, 1, per_layer, total, &error);
        t[r] = (g_get_monotonic_time () - t0) / 1e3;
      }
    if (!ok)
      {
        printf ("local complexity failed: %s\n", error->message);
        return 1;
      }
    for (int i = 0; i < 1000; i++)
      {
        mean += total[i] / 1000.0;
        for (int l = 0; l < 3; l++)
          layer_mean[l] += per_layer[i * 3 + l] / 1000.0;
      }
    printf ("local complexity 784-200-200-10 (%s), 1000 points x 25 directions (50 vertices), r = 0.1, %s: "
            "%.1f ms (median of 3); mean %.2f neurons (layers %.2f %.2f %.2f)\n",
            pts == random_pts ? "random points" : "MNIST images", be->name, median (t, 3), mean, layer_mean[0],
            layer_mean[1], layer_mean[2]);
  }
  return 0;
}
