/* bench-train-process.c: what a user waits for, whole processes side by side: `relief
 * train` on MNIST 784-200-200-10 ReLU for one epoch (batch 128, SGD momentum 0.9, lr 0.05,
 * the test accuracy at the end) against the same job as a plain PyTorch CPU script
 * (torch_train_job.py), both on all the machine's cores, start-up and data loading
 * included on both sides.
 *
 *   bench-train-process [--runs N] [--python PATH] [--relief PATH] [MNIST-DIR]
 *
 * The runs alternate (Relief, PyTorch, Relief, ...) and each side's fastest of N counts:
 * on a shared machine the minimum is the least disturbed run.  Relief's share of metrics
 * is the one `relief train` measures in the process and prints.  MNIST-DIR defaults to
 * $RELIEF_DATA_DIR/mnist, else ~/.local/share/relief/datasets/mnist; exit status 2: no
 * MNIST. */
#include <gio/gio.h>
#include <glib/gstdio.h>
#include <stdio.h>
#include <string.h>

typedef struct {
  double seconds;          /* the whole process */
  double training;         /* Relief: its training, metrics included, as it prints it */
  double metrics_share;    /* Relief: percent of its training time, as it prints it */
  double accuracy;         /* percent */
} ProcessRun;

static char *
default_mnist_dir (void)
{
  const char *data_dir = g_getenv ("RELIEF_DATA_DIR");

  if (data_dir != NULL && *data_dir != '\0')
    return g_build_filename (data_dir, "mnist", NULL);
  return g_build_filename (g_get_user_data_dir (), "relief", "datasets", "mnist", NULL);
}

/* The CPU's name as lscpu gives it ("Model name"), from /proc/cpuinfo. */
static char *
cpu_model (void)
{
  g_autofree char *info = NULL;
  g_auto(GStrv) lines = NULL;

  if (!g_file_get_contents ("/proc/cpuinfo", &info, NULL, NULL))
    return g_strdup ("unknown CPU");
  lines = g_strsplit (info, "\n", -1);
  for (char **line = lines; *line != NULL; line++)
    if (g_str_has_prefix (*line, "model name"))
      {
        const char *colon = strchr (*line, ':');

        if (colon != NULL)
          return g_strstrip (g_strdup (colon + 1));
      }
  return g_strdup ("unknown CPU");
}

/* Runs argv to its end, timing it; its stdout in *out.  FALSE after printing why. */
static gboolean
run_process (const char * const *argv, double *seconds, char **out)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *err = NULL;
  int wait_status = 0;
  gint64 start = g_get_monotonic_time ();

  if (!g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, out, &err, &wait_status, &error) ||
      !g_spawn_check_wait_status (wait_status, &error))
    {
      g_printerr ("%s failed: %s\n%s", argv[0], error->message, err != NULL ? err : "");
      return FALSE;
    }
  *seconds = (g_get_monotonic_time () - start) / 1e6;
  return TRUE;
}

/* The first line of text that starts with prefix, parsed by format (one or two doubles). */
static int
scan_line (const char *text, const char *prefix, const char *format, double *a, double *b)
{
  const char *at = strstr (text, prefix);

  return at == NULL ? 0 : sscanf (at, format, a, b);
}

static gboolean
run_relief (const char *relief, const char *mnist, const char *output, ProcessRun *r)
{
  const char *argv[] = { relief, "train", "--dataset", mnist, "--hidden", "200,200", "--epochs", "1",
                         "--batch-size", "128", "--optimizer", "momentum", "--momentum", "0.9", "--lr", "0.05",
                         "--backend", "cpu", "-o", output, NULL };
  g_autofree char *out = NULL;
  double unused;

  if (!run_process (argv, &r->seconds, &out))
    return FALSE;
  if (scan_line (out, "Trained", "Trained %*d steps in %lf s; metrics %*f s, %lf%%", &r->training,
                 &r->metrics_share) != 2 ||
      scan_line (out, "Final test", "Final test loss %lf, accuracy %lf%%", &unused, &r->accuracy) != 2)
    {
      g_printerr ("relief train printed no summary:\n%s", out);
      return FALSE;
    }
  return TRUE;
}

static gboolean
run_torch (const char *python, const char *script, const char *mnist, ProcessRun *r, int *threads)
{
  const char *argv[] = { python, script, mnist, NULL };
  g_autofree char *out = NULL;
  double n_threads = 0;

  if (!run_process (argv, &r->seconds, &out))
    return FALSE;
  if (scan_line (out, "torch test accuracy", "torch test accuracy %lf %% (%lf", &r->accuracy, &n_threads) != 2)
    {
      g_printerr ("%s printed no accuracy:\n%s", script, out);
      return FALSE;
    }
  *threads = (int) n_threads;
  return TRUE;
}

int
main (int argc, char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *python = NULL, *relief = NULL, *dir = NULL, *model = cpu_model ();
  g_autofree char *script = g_build_filename (RELIEF_BENCH_SRCDIR, "torch_train_job.py", NULL);
  g_autofree char *tmpdir = NULL, *output = NULL, *images = NULL, *images_gz = NULL;
  int runs = 3, torch_threads = 0;
  ProcessRun best_relief = { G_MAXDOUBLE }, best_torch = { G_MAXDOUBLE };
  GOptionEntry entries[] = {
    { "runs", 0, 0, G_OPTION_ARG_INT, &runs, "Runs of each side, alternated; the fastest counts (default 3)", "N" },
    { "python", 0, 0, G_OPTION_ARG_FILENAME, &python, "Python with PyTorch (default $RELIEF_PYTHON, else python3)",
      "PATH" },
    { "relief", 0, 0, G_OPTION_ARG_FILENAME, &relief, "The relief program (default: this build's)", "PATH" },
    { NULL }
  };
  g_autoptr(GOptionContext) ctx = g_option_context_new ("[MNIST-DIR]");

  g_option_context_add_main_entries (ctx, entries, NULL);
  if (!g_option_context_parse (ctx, &argc, &argv, &error) || runs < 1)
    {
      g_printerr ("%s\n", error != NULL ? error->message : "--runs must be at least 1");
      return 2;
    }
  if (python == NULL)
    python = g_strdup (g_getenv ("RELIEF_PYTHON") != NULL ? g_getenv ("RELIEF_PYTHON") : "python3");
  if (relief == NULL)
    relief = g_strdup (RELIEF_BENCH_RELIEF);
  dir = argc > 1 ? g_strdup (argv[1]) : default_mnist_dir ();
  images = g_build_filename (dir, "train-images-idx3-ubyte", NULL);
  images_gz = g_strconcat (images, ".gz", NULL);
  if (!g_file_test (images, G_FILE_TEST_EXISTS) && !g_file_test (images_gz, G_FILE_TEST_EXISTS))
    {
      g_printerr ("No MNIST in %s.\nInstall it with:  RELIEF_DATASETS=mnist build-aux/relief-setup.sh deps\n", dir);
      return 2;
    }
  tmpdir = g_dir_make_tmp ("bench-train-XXXXXX", &error);
  if (tmpdir == NULL)
    {
      g_printerr ("%s\n", error->message);
      return 1;
    }
  output = g_build_filename (tmpdir, "run.h5", NULL);

  printf ("MNIST 784-200-200-10 ReLU, one epoch, batch 128, SGD momentum 0.9, lr 0.05, test accuracy at the end\n");
  printf ("whole processes, %d alternated runs each, fastest counts; %s, %d cores\n", runs, model,
          g_get_num_processors ());
  for (int i = 0; i < runs; i++)
    {
      ProcessRun r, t;

      if (!run_relief (relief, dir, output, &r) || !run_torch (python, script, dir, &t, &torch_threads))
        {
          g_unlink (output);
          g_rmdir (tmpdir);
          return 1;
        }
      printf ("run %d: relief %.2f s (training %.2f s, metrics %.1f%% of it, test accuracy %.2f%%)   "
              "torch %.2f s (test accuracy %.2f%%)\n",
              i + 1, r.seconds, r.training, r.metrics_share, r.accuracy, t.seconds, t.accuracy);
      if (r.seconds < best_relief.seconds)
        best_relief = r;
      if (t.seconds < best_torch.seconds)
        best_torch = t;
    }
  g_unlink (output);
  g_rmdir (tmpdir);

  printf ("relief train: %.2f s (training %.2f s), metrics %.1f%% of its training time (target under 10%%)\n",
          best_relief.seconds, best_relief.training, best_relief.metrics_share);
  printf ("PyTorch CPU:  %.2f s (%d threads)\n", best_torch.seconds, torch_threads);
  printf ("PyTorch / Relief: %.2fx (target at least 3x): %s; metrics target: %s\n",
          best_torch.seconds / best_relief.seconds, best_torch.seconds >= 3 * best_relief.seconds ? "met" : "not met",
          best_relief.metrics_share < 10 ? "met" : "not met");
  return 0;
}
