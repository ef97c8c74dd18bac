/* bench-hvp.c: one exact Hessian-vector product (the R-operator) on MNIST 784-200-200-10
 * ReLU, cross-entropy, over the first 10,000 training images, against one gradient over
 * the same images on the same backend (target: at most 2.5x), and against PyTorch's
 * double-backward product when it is importable; then the top 5 eigenvalues by Lanczos
 * against power iteration with deflation (products and time) over fewer images.  Each
 * product is timed twice: made whole at parameters just set, and again at the same
 * parameters, where Relief keeps the forward and backward passes (as every Lanczos step
 * after the first has them) and PyTorch keeps the gradient's graph (PyHessian's way).
 *
 *   bench-hvp [--mnist DIR] [--backend cpu|cuda|all] [--samples N] [--repeats N]
 *             [--eigen-samples N] [--no-eigen] [--baseline torch_hvp_baseline.py]
 *
 * MNIST as for bench-train-mlp.  Times are the median of the repeats after one warm-up
 * of each; the data are on the backend before the clock starts, as in the baseline, which
 * runs on as many threads as OpenBLAS runs Relief's products on (both counts printed).
 * Exit status 2: no MNIST or bad arguments. */
#include "relief-blas-tune.h"
#include "relief-loaders.h"
#include "relief-hessian.h"
#include "relief-rng.h"

#include <gio/gio.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

static const int sizes[] = { 784, 200, 200, 10 };

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

/* Seconds (medians) of one gradient, of one product made whole (at parameters just set:
 * the forward and backward passes with it) and of one product at the same parameters
 * (their passes kept, as Lanczos's steps have them), or FALSE having said why. */
static gboolean
time_products (ReliefBackend *be, ReliefHessian *h, const float *params, int repeats, double *cold_s,
               double *warm_s, double *grad_s)
{
  g_autoptr(GError) error = NULL;
  gsize n = relief_hessian_n_params (h);
  g_autofree double *t_cold = g_new (double, repeats);
  g_autofree double *t_warm = g_new (double, repeats);
  g_autofree double *t_grad = g_new (double, repeats);
  float *v = be->alloc (be, sizeof (float) * n, &error);
  float *hv = v != NULL ? be->alloc (be, sizeof (float) * n, &error) : NULL;
  gboolean ok = hv != NULL && be->random_normal (be, v, n, 1, 0, &error);
  double loss = 0;

  for (int r = -1; ok && r < repeats; r++)
    {
      gint64 t0 = g_get_monotonic_time (), t1, t2, t3;

      ok = relief_hessian_gradient (h, hv, &loss, &error) && be->sync (be, &error);
      t1 = g_get_monotonic_time ();
      ok = ok && relief_hessian_set_params_host (h, params, &error) && relief_hessian_hvp (h, v, hv, &error) &&
           be->sync (be, &error);
      t2 = g_get_monotonic_time ();
      ok = ok && relief_hessian_hvp (h, v, hv, &error) && be->sync (be, &error);
      t3 = g_get_monotonic_time ();
      if (r >= 0)
        {
          t_grad[r] = (t1 - t0) / 1e6;
          t_cold[r] = (t2 - t1) / 1e6;
          t_warm[r] = (t3 - t2) / 1e6;
        }
    }
  be->free (be, v);
  be->free (be, hv);
  if (!ok)
    {
      g_printerr ("%s: %s\n", be->name, error->message);
      return FALSE;
    }
  *grad_s = median (t_grad, repeats);
  *cold_s = median (t_cold, repeats);
  *warm_s = median (t_warm, repeats);
  printf ("%-5s gradient %.4f s; Hessian-vector product %.4f s at new parameters: %.2fx a gradient (target at "
          "most 2.5x: %s), %.4f s at the same parameters (%.2fx); mean loss %.4f\n", be->name, *grad_s, *cold_s,
          *cold_s / *grad_s, *cold_s / *grad_s <= 2.5 ? "met" : "not met", *warm_s, *warm_s / *grad_s, loss);
  return TRUE;
}

static gboolean
compare_eigen (ReliefBackend *be, ReliefHessian *h)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ReliefEigenpairs) top = NULL;
  g_autoptr(ReliefEigenpairs) power = NULL;
  ReliefLanczosSettings settings;
  ReliefLanczosInfo info;
  gint64 power_hvps, t0, t1, t2;

  relief_lanczos_settings_init_defaults (&settings);
  settings.k = 5;
  settings.tol = 1e-4;
  t0 = g_get_monotonic_time ();
  if (!relief_hessian_lanczos (h, &settings, &top, NULL, &info, NULL, &error))
    goto fail;
  t1 = g_get_monotonic_time ();
  if (!relief_hessian_power (h, 5, 1e-4, 300, 2, &power, &power_hvps, NULL, &error))
    goto fail;
  t2 = g_get_monotonic_time ();
  printf ("%-5s top 5 over %d images: Lanczos %d steps, %" G_GINT64_FORMAT " products, %.2f s%s; "
          "power iteration %" G_GINT64_FORMAT " products, %.2f s\n", be->name, relief_hessian_n_samples (h),
          info.iterations, info.hvps, (t1 - t0) / 1e6, info.converged ? "" : " (not converged)", power_hvps,
          (t2 - t1) / 1e6);
  for (int i = 0; i < 5; i++)
    printf ("      lambda %d: Lanczos %.6g (residual %.2g), power %.6g (residual %.2g)\n", i + 1,
            top->values[i], top->residuals[i], power->values[i], power->residuals[i]);
  return TRUE;
fail:
  g_printerr ("%s: %s\n", be->name, error->message);
  return FALSE;
}

/* The PyTorch baseline's product times on its device, made whole and from a kept graph,
 * or FALSE having said why not. */
static gboolean
run_torch (const char *script, const char *mnist_dir, int samples, int repeats, int threads, double *hvp_s,
           double *kept_s, char **device)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *n = g_strdup_printf ("%d", samples);
  g_autofree char *reps = g_strdup_printf ("%d", repeats);
  g_autofree char *nthreads = g_strdup_printf ("%d", threads);
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_auto(GStrv) lines = NULL;
  /* $RELIEF_PYTHON picks the interpreter that has PyTorch, python3 on the PATH otherwise. */
  const char *python = g_getenv ("RELIEF_PYTHON") != NULL ? g_getenv ("RELIEF_PYTHON") : "python3";
  /* PyTorch on as many threads as OpenBLAS runs ours on (0: its own default) */
  const char *argv[] = { python, script, mnist_dir, "--samples", n, "--repeats", reps, "--threads", nthreads, NULL };
  int wait_status = 0;

  if (!g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, &out, &err, &wait_status, &error) ||
      !g_spawn_check_wait_status (wait_status, &error))
    {
      printf ("PyTorch baseline not run: %s\n%s", error->message, err != NULL ? err : "");
      return FALSE;
    }
  fputs (out, stdout);
  lines = g_strsplit (out, "\n", -1);
  for (char **line = lines; *line != NULL; line++)
    {
      char dev[64];
      double grad_s;

      if (sscanf (*line, "torch gradient %lf s, hvp %lf s (graph kept %lf s) on %63s", &grad_s, hvp_s, kept_s,
                  dev) == 4)
        {
          *device = g_strdup (dev);
          return TRUE;
        }
    }
  printf ("PyTorch baseline printed no time\n");
  return FALSE;
}

static char *
default_mnist_dir (void)
{
  const char *data_dir = g_getenv ("RELIEF_DATA_DIR");

  if (data_dir != NULL && *data_dir != '\0')
    return g_build_filename (data_dir, "mnist", NULL);
  return g_build_filename (g_get_user_data_dir (), "relief", "datasets", "mnist", NULL);
}

int
main (int argc, char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *backend_name = NULL;
  g_autofree char *baseline = NULL;
  int samples = 10000, repeats = 3, eigen_samples = 1000;
  gboolean no_eigen = FALSE;
  GOptionEntry entries[] = {
    { "mnist", 0, 0, G_OPTION_ARG_FILENAME, &dir, "MNIST's folder", "DIR" },
    { "backend", 0, 0, G_OPTION_ARG_STRING, &backend_name, "cpu, cuda or all (all)", "NAME" },
    { "samples", 0, 0, G_OPTION_ARG_INT, &samples, "Images of the product and gradient (10000)", "N" },
    { "repeats", 0, 0, G_OPTION_ARG_INT, &repeats, "Timed repeats (3)", "N" },
    { "eigen-samples", 0, 0, G_OPTION_ARG_INT, &eigen_samples, "Images of the eigenvalue comparison (1000)", "N" },
    { "no-eigen", 0, 0, G_OPTION_ARG_NONE, &no_eigen, "Leave out the eigenvalue comparison", NULL },
    { "baseline", 0, 0, G_OPTION_ARG_FILENAME, &baseline, "The PyTorch script (torch_hvp_baseline.py)", "PY" },
    { NULL },
  };
  g_autoptr(GOptionContext) context = g_option_context_new ("- Hessian-vector products on MNIST");
  g_autoptr(ReliefDataset) ds = NULL;
  g_autoptr(ReliefMlpSpec) spec = relief_mlp_spec_new (sizes, G_N_ELEMENTS (sizes), RELIEF_ACT_RELU,
                                                       RELIEF_LOSS_CROSS_ENTROPY);
  g_autofree float *params = g_new (float, relief_mlp_spec_n_params (spec));
  const char *names[2] = { "cpu", "cuda" };
  double ours[2][2] = { { -1, -1 }, { -1, -1 } };   /* [cpu, cuda][made whole, same parameters] */
  int status = 0;

  relief_blas_reexec (argv);
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error) || repeats < 1 || samples < 1 || eigen_samples < 1)
    {
      g_printerr ("%s\n", error != NULL ? error->message : "--samples, --repeats and --eigen-samples take 1 or more");
      return 2;
    }
  if (dir == NULL)
    dir = default_mnist_dir ();
  ds = relief_dataset_load_idx_dir (dir, 0, 0, &error);
  if (ds == NULL)
    {
      g_printerr ("%s\nInstall MNIST with:  RELIEF_DATASETS=mnist build-aux/relief-setup.sh deps\n", error->message);
      return 2;
    }
  samples = MIN (samples, ds->n_train);
  eigen_samples = MIN (eigen_samples, ds->n_train);
  relief_mlp_init_params (spec, 0, params);
  printf ("MNIST 784-200-200-10 ReLU, cross-entropy, %llu parameters; products over %d images in chunks of 1024\n",
          (unsigned long long) relief_mlp_spec_n_params (spec), samples);
  printf ("cpu   OpenBLAS %s kernels on %d threads\n",
          relief_blas_corename () != NULL ? relief_blas_corename () : "(unknown)", relief_blas_threads ());

  for (int b = 0; b < 2; b++)
    {
      g_autoptr(ReliefBackend) be = NULL;
      g_autoptr(ReliefHessian) h = NULL;
      g_autoptr(ReliefHessian) small = NULL;
      double hvp_s, warm_s, grad_s;

      if (backend_name != NULL && !g_str_equal (backend_name, "all") && !g_str_equal (backend_name, names[b]))
        continue;
      g_clear_error (&error);
      if ((be = relief_backend_new (names[b], &error)) == NULL)
        {
          printf ("%-5s not measured: %s\n", names[b], error->message);
          continue;
        }
      if ((h = relief_hessian_new (be, spec, params, ds->x_train, ds->y_train, samples, 0, &error)) == NULL)
        {
          g_printerr ("%s: %s\n", names[b], error->message);
          status = 1;
          continue;
        }
      if (!time_products (be, h, params, repeats, &hvp_s, &warm_s, &grad_s))
        status = 1;
      else
        {
          ours[b][0] = hvp_s;
          ours[b][1] = warm_s;
        }
      g_clear_pointer (&h, relief_hessian_free);
      if (no_eigen)
        continue;
      if ((small = relief_hessian_new (be, spec, params, ds->x_train, ds->y_train, eigen_samples, 0, &error)) == NULL)
        {
          g_printerr ("%s: %s\n", names[b], error->message);
          status = 1;
        }
      else if (!compare_eigen (be, small))
        status = 1;
    }
  if (baseline != NULL)
    {
      g_autofree char *torch_device = NULL;
      double torch_hvp, torch_kept;

      fflush (stdout);
      if (run_torch (baseline, dir, samples, repeats, relief_blas_threads (), &torch_hvp, &torch_kept,
                     &torch_device))
        {
          const double *mine = ours[g_str_equal (torch_device, "cuda") ? 1 : 0];

          if (mine[0] > 0)
            printf ("PyTorch / Relief product on %s: %.2fx made whole by both (target at least 2x: %s); "
                    "%.2fx at the same parameters (PyTorch's graph kept, Relief's passes kept); "
                    "%.2fx Relief's kept against PyTorch's made whole\n", torch_device, torch_hvp / mine[0],
                    torch_hvp / mine[0] >= 2.0 ? "met" : "not met", torch_kept / mine[1], torch_hvp / mine[1]);
        }
    }
  return status;
}
