/* The Spectra page under a display: it takes up a small run (a spiral MLP trained in the
 * case's folder), shows its weight spectra at once and, on Compute, the Hessian's
 * eigenvalues at the scrubbed checkpoint, which match the dense Hessian built here from
 * products; its layer chooser and scrubber change what the plots show; its hover
 * readouts, figure and data exports (read back), opened files, the previous run marked,
 * a missing data set and a cancel; and Alt+4 shows it in the window.
 *
 * The test links with -Wl,--wrap=relief_backend_new: the jobs' backends get matrix
 * products that a case can hold, so that a cancel lands mid-work. */
#include <adwaita.h>
#include <glib/gstdio.h>
#include <math.h>
#include <string.h>

#include "test-gtk.h"
#include "relief-application.h"
#include "relief-backend.h"
#include "relief-controls.h"
#include "relief-hessian.h"
#include "relief-run-file.h"
#include "relief-spectra-page.h"
#include "relief-train-job.h"
#include "relief-window.h"

/* ---- Products that can be held ---- */

static GMutex hold_lock;
static GCond hold_cond;
static gboolean holding;
static int products_waiting;

typedef gboolean (*GemmFunc) (ReliefBackend *self, gboolean trans_a, gboolean trans_b, int m, int n, int k,
                              float alpha, const float *a, int lda, const float *b, int ldb, float beta,
                              float *c, int ldc, GError **error);
static GemmFunc real_gemm;

static gboolean
held_gemm (ReliefBackend *self, gboolean trans_a, gboolean trans_b, int m, int n, int k, float alpha,
           const float *a, int lda, const float *b, int ldb, float beta, float *c, int ldc, GError **error)
{
  g_mutex_lock (&hold_lock);
  products_waiting++;
  while (holding)
    g_cond_wait (&hold_cond, &hold_lock);
  products_waiting--;
  g_mutex_unlock (&hold_lock);
  return real_gemm (self, trans_a, trans_b, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, error);
}

ReliefBackend *__real_relief_backend_new (const char *name, GError **error);
ReliefBackend *__wrap_relief_backend_new (const char *name, GError **error);

ReliefBackend *
__wrap_relief_backend_new (const char *name, GError **error)
{
  ReliefBackend *backend = __real_relief_backend_new (name, error);

  /* The CPU's products only: the cases ask for the CPU. */
  if (backend != NULL && g_str_equal (backend->name, "cpu"))
    {
      real_gemm = backend->gemm;
      backend->gemm = held_gemm;
    }
  return backend;
}

static void
hold_products (gboolean hold)
{
  g_mutex_lock (&hold_lock);
  holding = hold;
  g_cond_broadcast (&hold_cond);
  g_mutex_unlock (&hold_lock);
}

static gboolean
product_waiting (gpointer data)
{
  gboolean waiting;

  g_mutex_lock (&hold_lock);
  waiting = products_waiting > 0;
  g_mutex_unlock (&hold_lock);
  return waiting;
}

/* ---- Screenshots ---- */

/* With RELIEF_SCREENSHOT_DIR set, the window as drawn now in NAME.png there (what
 * docs/screenshots holds); else nothing. */
static void
screenshot (GtkWidget *window, const char *name)
{
  const char *dir = g_getenv ("RELIEF_SCREENSHOT_DIR");
  g_autofree char *file = NULL, *path = NULL;
  g_autoptr(GdkPaintable) paintable = NULL;
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  GtkSnapshot *snapshot;
  int width = gtk_widget_get_width (window), height = gtk_widget_get_height (window);

  if (dir == NULL)
    return;
  /* What the last change queued drawn, and the toasts gone (6 s at most). */
  for (int i = 0; i < 350; i++)
    {
      g_main_context_iteration (NULL, FALSE);
      g_usleep (20000);
    }
  paintable = gtk_widget_paintable_new (window);
  snapshot = gtk_snapshot_new ();
  gdk_paintable_snapshot (paintable, snapshot, width, height);
  node = gtk_snapshot_free_to_node (snapshot);
  texture = gsk_renderer_render_texture (gtk_native_get_renderer (GTK_NATIVE (window)), node, NULL);
  file = g_strconcat (name, ".png", NULL);
  path = g_build_filename (dir, file, NULL);
  g_assert_true (gdk_texture_save_to_png (texture, path));
}

/* ---- Runs ---- */

#define N_SAMPLES 240

/* A spiral MLP of the hidden widths given trained for 4 epochs: 5 snapshots.  dataset
 * NULL: the spiral generator, else a CSV file's path. */
static char *
train_model (const char *dir, const char *name, const char *dataset, const int *hidden, int n_hidden)
{
  ReliefTrainJob job;
  ReliefTrainStatus status;
  g_autoptr(GError) error = NULL;
  char *path = g_build_filename (dir, name, NULL);

  relief_train_job_init_defaults (&job);
  if (dataset)
    {
      g_free (job.dataset);
      job.dataset = g_strdup (dataset);
    }
  job.gen.n_samples = N_SAMPLES;
  g_free (job.hidden);
  job.hidden = g_memdup2 (hidden, n_hidden * sizeof (int));
  job.n_hidden = n_hidden;
  job.train.epochs = 4;
  job.train.optimizer.lr = 0.05;
  job.backend = RELIEF_BACKEND_CPU;
  job.output = g_strdup (path);
  relief_train_job_run (&job, NULL, NULL, &status, &error);
  g_assert_no_error (error);
  g_assert_cmpint (status, ==, RELIEF_TRAIN_COMPLETED);
  relief_train_job_clear (&job);
  return path;
}

/* 2-8-3: 51 parameters, a Hessian small enough to build densely. */
static char *
train_run (const char *dir, const char *name, const char *dataset)
{
  const int hidden[] = { 8 };

  return train_model (dir, name, dataset, hidden, G_N_ELEMENTS (hidden));
}

/* ---- The page ---- */

typedef struct {
  char              *dir, *run_path;
  GtkWidget         *window;
  ReliefSpectraPage *page;
} Fixture;

static GObject *
child (ReliefSpectraPage *page, const char *id)
{
  GObject *object = gtk_widget_get_template_child (GTK_WIDGET (page), RELIEF_TYPE_SPECTRA_PAGE, id);

  g_assert_nonnull (object);
  return object;
}

static const char *
label_text (ReliefSpectraPage *page, const char *id)
{
  return gtk_label_get_text (GTK_LABEL (child (page, id)));
}

static gboolean
page_idle (gpointer data)
{
  return !relief_page_is_running (data);
}

static gboolean
weights_ready (gpointer data)
{
  gboolean busy;

  return relief_spectra_page_get_weights (data, &busy) != NULL && !busy;
}

static void
fixture_setup (Fixture *f, gconstpointer data)
{
  f->dir = g_dir_make_tmp ("relief-spectra-XXXXXX", NULL);
  f->run_path = train_run (f->dir, "run.h5", NULL);
  f->window = gtk_window_new ();
  f->page = g_object_new (RELIEF_TYPE_SPECTRA_PAGE, NULL);
  gtk_window_set_default_size (GTK_WINDOW (f->window), 1200, 760);
  gtk_window_set_child (GTK_WINDOW (f->window), GTK_WIDGET (f->page));
  gtk_window_present (GTK_WINDOW (f->window));
  g_object_add_weak_pointer (G_OBJECT (f->page), (gpointer *) &f->page);
  relief_combo_select_enum (ADW_COMBO_ROW (child (f->page, "backend_row")), RELIEF_BACKEND_CPU);
}

/* Every file below the case's folder, then the folder. */
static void
remove_tree (const char *dir)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;

  while (d && (name = g_dir_read_name (d)))
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);

      g_remove (path);
    }
  g_rmdir (dir);
}

static void
fixture_teardown (Fixture *f, gconstpointer data)
{
  hold_products (FALSE);
  relief_page_cancel (RELIEF_PAGE (f->page));
  g_assert_true (iterate_until (page_idle, f->page));
  gtk_window_destroy (GTK_WINDOW (f->window));
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_assert_null (f->page);
  remove_tree (f->dir);
  g_free (f->run_path);
  g_free (f->dir);
}

/* The run taken up and its weights shown; then Compute with the settings asked. */
static void
compute (Fixture *f, int top_k, gboolean smallest)
{
  relief_spectra_page_set_run (f->page, f->run_path);
  g_assert_true (iterate_until (weights_ready, f->page));
  gtk_spin_button_set_value (GTK_SPIN_BUTTON (child (f->page, "topk_spin")), top_k);
  gtk_switch_set_active (GTK_SWITCH (child (f->page, "smallest_switch")), smallest);
  relief_page_run (RELIEF_PAGE (f->page));
  g_assert_true (relief_page_is_running (RELIEF_PAGE (f->page)));
  g_assert_true (iterate_until (page_idle, f->page));
  g_assert_nonnull (relief_spectra_page_get_hessian (f->page, NULL));
}

/* The dense Hessian of the run's loss at checkpoint t over its training samples, built
 * column by column from products; its eigenvalues ascending, and its trace. */
static double *
dense_eigenvalues (const char *run_path, int t, gsize *n_out, double *trace)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ReliefRun) run = relief_run_load (run_path, TRUE, &error);
  g_autoptr(ReliefBackend) backend = NULL;
  g_autoptr(ReliefHessian) h = NULL;
  gsize n;
  g_autofree float *e = NULL, *column = NULL;
  g_autofree double *a = NULL;
  double *values;

  g_assert_no_error (error);
  n = run->n_params;
  backend = relief_backend_new ("cpu", &error);
  g_assert_no_error (error);
  h = relief_hessian_new (backend, run->spec, run->params + (gsize) t * n, run->dataset->x_train,
                          run->dataset->y_train, run->dataset->n_train, 0, &error);
  g_assert_no_error (error);
  e = g_new0 (float, n);
  column = g_new (float, n);
  a = g_new (double, n * n);
  for (gsize j = 0; j < n; j++)
    {
      e[j] = 1;
      g_assert_true (relief_hessian_hvp_host (h, e, column, &error));
      g_assert_no_error (error);
      e[j] = 0;
      for (gsize i = 0; i < n; i++)
        a[j * n + i] = column[i];
    }
  *trace = 0;
  for (gsize i = 0; i < n; i++)
    {
      *trace += a[i * n + i];
      for (gsize j = 0; j < i; j++)
        a[i * n + j] = a[j * n + i] = 0.5 * (a[i * n + j] + a[j * n + i]);
    }
  values = g_new (double, n);
  g_assert_true (relief_symmetric_eigen ((int) n, a, values, FALSE, &error));
  g_assert_no_error (error);
  *n_out = n;
  return values;
}

/* The largest and smallest eigenvalues shown, and the list beside the density, are the
 * dense Hessian's; the trace is within its standard errors. */
static void
test_curvature_matches_dense (Fixture *f, gconstpointer data)
{
  const ReliefHessianSpectrum *hs;
  const ReliefWeights *w;
  g_autofree double *values = NULL;
  double trace, scale;
  gboolean stale = TRUE;
  gsize n;

  compute (f, 4, TRUE);
  hs = relief_spectra_page_get_hessian (f->page, &stale);
  w = relief_spectra_page_get_weights (f->page, NULL);
  g_assert_false (stale);
  g_assert_cmpint (hs->checkpoint, ==, (int) w->checkpoint);
  g_assert_cmpint (hs->checkpoint, ==, 4);
  g_assert_cmpint (hs->n_samples, ==, N_SAMPLES * 4 / 5);
  values = dense_eigenvalues (f->run_path, hs->checkpoint, &n, &trace);
  scale = MAX (fabs (values[n - 1]), fabs (values[0]));
  g_assert_cmpint (hs->largest.n, ==, 4);
  g_assert_cmpint (hs->smallest.n, ==, 4);
  for (int i = 0; i < 4; i++)
    {
      g_autofree char *shown = g_strdup_printf ("%.5g", hs->largest.values[i]);

      g_assert_cmpfloat (fabs (hs->largest.values[i] - values[n - 1 - i]), <=, 1e-3 * scale);
      g_assert_cmpfloat (fabs (hs->smallest.values[i] - values[i]), <=, 1e-3 * scale);
      /* The list shows each. */
      g_assert_nonnull (strstr (label_text (f->page, "eigen_label"), shown));
    }
  g_assert_true (hs->has_trace);
  g_assert_cmpfloat (fabs (hs->trace - trace), <=, 4 * hs->trace_stderr + 1e-6 * fabs (trace));
  g_assert_cmpint (hs->n_grid, >, 0);
  g_assert_nonnull (strstr (label_text (f->page, "eigen_label"), "Trace"));
  /* The run's learning rate: 2/eta = 40. */
  g_assert_nonnull (strstr (label_text (f->page, "eigen_label"), "2/η = 40"));
  g_assert_true (g_str_has_prefix (label_text (f->page, "status_label"), "Curvature at checkpoint 4"));
  screenshot (f->window, "spectra-fixture");
}

static gboolean
frame_drawn (ReliefSpectraPage *page, ReliefSpectraPlot plot, ReliefPlotFrame *frame)
{
  return relief_spectra_page_get_frame (page, plot, frame);
}

typedef struct {
  ReliefSpectraPage *page;
  ReliefSpectraPlot  plot;
} PlotRef;

static gboolean
plot_drawn (gpointer data)
{
  PlotRef *r = data;
  ReliefPlotFrame frame;

  return frame_drawn (r->page, r->plot, &frame);
}

/* The plot's frame once it has been drawn with data. */
static void
wait_frame (ReliefSpectraPage *page, ReliefSpectraPlot plot, ReliefPlotFrame *frame)
{
  PlotRef ref = { page, plot };

  g_assert_true (iterate_until (plot_drawn, &ref));
  g_assert_true (frame_drawn (page, plot, frame));
}

/* The pointer moved to data coordinates (x, y) of a plot: what the readout says. */
static const char *
hover (ReliefSpectraPage *page, ReliefSpectraPlot plot, double x, double y)
{
  const char *ids[] = { "hessian_area", "esd_area", "top_area" };
  GtkWidget *area = GTK_WIDGET (child (page, ids[plot]));
  GtkEventController *motion = find_controller (area, GTK_TYPE_EVENT_CONTROLLER_MOTION);
  ReliefPlotFrame frame;
  double px, py;

  wait_frame (page, plot, &frame);
  relief_plot_frame_from_data (&frame, x, y, &px, &py);
  g_assert_nonnull (motion);
  g_signal_emit_by_name (motion, "motion", px, py);
  return label_text (page, "readout_label");
}

/* Under the pointer: the eigenvalue and the density there; a layer's lambda and ESD; a
 * step and each layer's top singular value. */
static void
test_hover_readouts (Fixture *f, gconstpointer data)
{
  const ReliefHessianSpectrum *hs;
  const ReliefWeights *w;
  ReliefPlotFrame frame;
  g_autofree char *step = NULL;
  double mid;
  const char *text;

  compute (f, 3, FALSE);
  hs = relief_spectra_page_get_hessian (f->page, NULL);
  w = relief_spectra_page_get_weights (f->page, NULL);
  mid = hs->density_grid[hs->n_grid / 2];
  {
    wait_frame (f->page, RELIEF_SPECTRA_PLOT_HESSIAN, &frame);
    /* The density there, read at the pointer's eigenvalue (within a pixel of mid). */
    text = hover (f->page, RELIEF_SPECTRA_PLOT_HESSIAN, mid, sqrt (frame.ymin * frame.ymax));
    g_assert_true (g_str_has_prefix (text, "eigenvalue "));
    g_assert_nonnull (strstr (text, "density "));
    g_assert_cmpfloat (fabs (g_ascii_strtod (text + strlen ("eigenvalue "), NULL) - mid), <=,
                       2 * (frame.xmax - frame.xmin) / frame.pw);
  }

  wait_frame (f->page, RELIEF_SPECTRA_PLOT_ESD, &frame);
  text = hover (f->page, RELIEF_SPECTRA_PLOT_ESD, w->layers[relief_spectra_page_get_layer (f->page)].lambda_max, sqrt (frame.ymin * frame.ymax));
  g_assert_true (g_str_has_prefix (text, "λ"));
  g_assert_nonnull (strstr (text, "ESD"));

  wait_frame (f->page, RELIEF_SPECTRA_PLOT_TOP, &frame);
  text = hover (f->page, RELIEF_SPECTRA_PLOT_TOP, (double) w->snapshot_step[2], 0.5 * (frame.ymin + frame.ymax));
  step = g_strdup_printf ("step %lld ", (long long) w->snapshot_step[2]);
  g_assert_true (g_str_has_prefix (text, step));
  {
    g_autofree char *values = g_strdup_printf ("by layer %.4g, %.4g", w->top_singular_values[2 * w->n_layers],
                                               w->top_singular_values[2 * w->n_layers + 1]);

    g_assert_nonnull (strstr (text, values));
  }

  /* Off the plots, nothing. */
  g_signal_emit_by_name (find_controller (GTK_WIDGET (child (f->page, "top_area")), GTK_TYPE_EVENT_CONTROLLER_MOTION),
                         "leave");
  g_assert_cmpstr (label_text (f->page, "readout_label"), ==, "");
}

typedef struct {
  ReliefSpectraPage *page;
  double             xmax;
} FrameWait;

static gboolean
esd_frame_changed (gpointer data)
{
  FrameWait *wait = data;
  ReliefPlotFrame frame;

  return frame_drawn (wait->page, RELIEF_SPECTRA_PLOT_ESD, &frame) && frame.xmax != wait->xmax;
}

static gboolean
weights_at (gpointer data)
{
  Fixture *f = data;
  const ReliefWeights *w = relief_spectra_page_get_weights (f->page, NULL);

  return weights_ready (f->page) && w->checkpoint == 1;
}

/* The layer chooser switches the ESD to that layer's eigenvalues; the scrubber computes
 * the weights at its checkpoint, keeps the trajectory, and marks the curvature as
 * another checkpoint's. */
static void
test_layers_and_scrubber (Fixture *f, gconstpointer data)
{
  AdwComboRow *layer_row = ADW_COMBO_ROW (child (f->page, "layer_row"));
  const ReliefWeights *w;
  FrameWait wait = { f->page };
  ReliefPlotFrame frame;
  gboolean stale = FALSE;
  int T;

  compute (f, 2, FALSE);
  w = relief_spectra_page_get_weights (f->page, NULL);
  T = w->n_snapshots;
  g_assert_cmpint (T, ==, 5);
  g_assert_cmpint (w->n_layers, ==, 2);
  g_assert_cmpuint (g_list_model_get_n_items (adw_combo_row_get_model (layer_row)), ==, 2);
  /* First the layer with the most eigenvalues: 3 × 8 has 3, 8 × 2 has 2. */
  g_assert_cmpint (relief_spectra_page_get_layer (f->page), ==, 1);
  g_assert_cmpuint (adw_combo_row_get_selected (layer_row), ==, 1);
  wait_frame (f->page, RELIEF_SPECTRA_PLOT_ESD, &frame);
  /* The axis spans layer 1's eigenvalues (log bins, 5% margins in decades). */
  g_assert_cmpfloat (frame.xmax, >=, w->layers[1].lambda_max);
  g_assert_cmpfloat (frame.xmin, <=, w->layers[1].esd[w->layers[1].n_fitted - 1]);
  wait.xmax = frame.xmax;

  adw_combo_row_set_selected (layer_row, 0);
  g_assert_cmpint (relief_spectra_page_get_layer (f->page), ==, 0);
  g_assert_true (iterate_until (esd_frame_changed, &wait));
  g_assert_true (frame_drawn (f->page, RELIEF_SPECTRA_PLOT_ESD, &frame));
  g_assert_cmpfloat (frame.xmax, >=, w->layers[0].lambda_max);
  g_assert_cmpfloat (frame.xmin, <=, w->layers[0].esd[w->layers[0].n_fitted - 1]);

  gtk_range_set_value (GTK_RANGE (child (f->page, "trajectory_scale")), 1);
  g_assert_true (iterate_until (weights_at, f));
  w = relief_spectra_page_get_weights (f->page, NULL);
  g_assert_cmpint (w->n_snapshots, ==, T);
  g_assert_cmpint (relief_spectra_page_get_layer (f->page), ==, 0);
  relief_spectra_page_get_hessian (f->page, &stale);
  g_assert_true (stale);
  g_assert_nonnull (strstr (label_text (f->page, "eigen_label"), "not the scrubber’s"));
  g_assert_nonnull (strstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (child (f->page, "trajectory_row"))),
                            "Checkpoint 1 of 4"));

  /* Compute now is at checkpoint 1. */
  relief_page_run (RELIEF_PAGE (f->page));
  g_assert_true (iterate_until (page_idle, f->page));
  g_assert_cmpint (relief_spectra_page_get_hessian (f->page, &stale)->checkpoint, ==, 1);
  g_assert_false (stale);
}

/* The lines of a text file; -1 when it cannot be read. */
static int
count_lines (const char *path)
{
  g_autofree char *text = NULL;
  int n = 0;

  if (!g_file_get_contents (path, &text, NULL, NULL))
    return -1;
  for (const char *p = text; *p; p++)
    n += *p == '\n';
  return n;
}

static void
assert_starts_with (const char *path, const char *magic)
{
  g_autofree char *text = NULL;
  gsize len;

  g_assert_true (g_file_get_contents (path, &text, &len, NULL));
  g_assert_cmpuint (len, >, strlen (magic));
  g_assert_true (memcmp (text, magic, strlen (magic)) == 0);
}

static gboolean
no_temporary_files (const char *dir)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;

  while ((name = g_dir_read_name (d)))
    if (strstr (name, ".tmp-") != NULL)
      return FALSE;
  return TRUE;
}

static void
export_figure (Fixture *f, const char *name)
{
  g_autofree char *path = g_build_filename (f->dir, name, NULL);
  g_autoptr(GFile) file = g_file_new_for_path (path);

  relief_spectra_page_export_figure (f->page, file);
  g_assert_true (g_file_test (path, G_FILE_TEST_IS_REGULAR));
}

/* The figure as PNG, SVG and PDF; the data as HDF5 that loads back equal and as CSV
 * tables of the expected rows, every number as shown. */
static void
test_exports (Fixture *f, gconstpointer data)
{
  const ReliefHessianSpectrum *hs;
  const ReliefWeights *w;
  g_autofree char *png = g_build_filename (f->dir, "spectra.png", NULL);
  g_autofree char *h5 = g_build_filename (f->dir, "curvature.h5", NULL);
  g_autofree char *csv = g_build_filename (f->dir, "curvature.csv", NULL);
  g_autofree char *density_csv = g_build_filename (f->dir, "curvature-density.csv", NULL);
  g_autofree char *wh5 = g_build_filename (f->dir, "weights.h5", NULL);
  g_autofree char *wcsv = g_build_filename (f->dir, "weights.csv", NULL);
  g_autofree char *sv_csv = g_build_filename (f->dir, "weights-singular-values.csv", NULL);
  g_autofree char *top_csv = g_build_filename (f->dir, "weights-top-singular-values.csv", NULL);
  g_autofree char *bad = g_build_filename (f->dir, "curvature.txt", NULL);
  g_autoptr(GError) error = NULL;
  int n_values = 0;

  compute (f, 3, TRUE);
  hs = relief_spectra_page_get_hessian (f->page, NULL);
  w = relief_spectra_page_get_weights (f->page, NULL);

  export_figure (f, "spectra.png");
  export_figure (f, "spectra.svg");
  export_figure (f, "spectra.pdf");
  {
    cairo_surface_t *image = cairo_image_surface_create_from_png (png);

    g_assert_cmpint (cairo_surface_status (image), ==, CAIRO_STATUS_SUCCESS);
    g_assert_cmpint (cairo_image_surface_get_width (image), ==, 3300);   /* 792 pt at 300 dpi */
    cairo_surface_destroy (image);
  }
  {
    g_autofree char *svg = g_build_filename (f->dir, "spectra.svg", NULL);
    g_autofree char *pdf = g_build_filename (f->dir, "spectra.pdf", NULL);

    assert_starts_with (svg, "<?xml");
    assert_starts_with (pdf, "%PDF");
  }

  g_assert_true (relief_spectra_page_export_data (f->page, RELIEF_SPECTRA_DATA_CURVATURE, h5, &error));
  g_assert_no_error (error);
  {
    g_autoptr(ReliefHessianSpectrum) back = relief_hessian_spectrum_load (h5, &error);

    g_assert_no_error (error);
    g_assert_cmpint (back->largest.n, ==, hs->largest.n);
    for (int i = 0; i < hs->largest.n; i++)
      g_assert_cmpfloat (back->largest.values[i], ==, hs->largest.values[i]);
    for (int i = 0; i < hs->smallest.n; i++)
      g_assert_cmpfloat (back->smallest.values[i], ==, hs->smallest.values[i]);
    g_assert_cmpfloat (back->trace, ==, hs->trace);
  }

  g_assert_true (relief_spectra_page_export_data (f->page, RELIEF_SPECTRA_DATA_CURVATURE, csv, &error));
  g_assert_no_error (error);
  g_assert_cmpint (count_lines (csv), ==, 1 + hs->largest.n + hs->smallest.n + 1);
  g_assert_cmpint (count_lines (density_csv), ==, 1 + hs->n_grid);
  {
    g_autofree char *text = NULL;
    g_auto(GStrv) lines = NULL;

    g_assert_true (g_file_get_contents (csv, &text, NULL, NULL));
    lines = g_strsplit (text, "\n", -1);
    g_assert_cmpstr (lines[0], ==, "kind,index,value,error");
    for (int i = 1; lines[i] && *lines[i]; i++)
      {
        g_auto(GStrv) cells = g_strsplit (lines[i], ",", -1);
        double v = g_ascii_strtod (cells[2], NULL);

        g_assert_cmpuint (g_strv_length (cells), ==, 4);
        if (g_str_equal (cells[0], "largest"))
          {
            g_assert_cmpfloat (v, ==, hs->largest.values[atoi (cells[1]) - 1]);
            n_values++;
          }
        else if (g_str_equal (cells[0], "smallest"))
          {
            g_assert_cmpfloat (v, ==, hs->smallest.values[atoi (cells[1]) - 1]);
            n_values++;
          }
        else
          {
            g_assert_cmpstr (cells[0], ==, "trace");
            g_assert_cmpfloat (v, ==, hs->trace);
            g_assert_cmpfloat (g_ascii_strtod (cells[3], NULL), ==, hs->trace_stderr);
          }
      }
    g_assert_cmpint (n_values, ==, 6);
  }

  g_assert_true (relief_spectra_page_export_data (f->page, RELIEF_SPECTRA_DATA_WEIGHTS, wh5, &error));
  g_assert_no_error (error);
  {
    g_autoptr(ReliefWeights) back = relief_weights_load (wh5, &error);

    g_assert_no_error (error);
    g_assert_cmpint (back->n_layers, ==, w->n_layers);
    g_assert_cmpint (back->n_snapshots, ==, w->n_snapshots);
    for (int l = 0; l < w->n_layers; l++)
      for (int i = 0; i < w->layers[l].n; i++)
        g_assert_cmpfloat (back->layers[l].singular_values[i], ==, w->layers[l].singular_values[i]);
  }
  g_assert_true (relief_spectra_page_export_data (f->page, RELIEF_SPECTRA_DATA_WEIGHTS, wcsv, &error));
  g_assert_no_error (error);
  g_assert_cmpint (count_lines (wcsv), ==, 1 + w->n_layers);
  g_assert_cmpint (count_lines (sv_csv), ==, 1 + w->layers[0].n + w->layers[1].n);
  g_assert_cmpint (count_lines (top_csv), ==, 1 + w->n_snapshots * w->n_layers);

  /* Neither HDF5 nor CSV: refused, nothing written. */
  g_assert_false (relief_spectra_page_export_data (f->page, RELIEF_SPECTRA_DATA_CURVATURE, bad, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_assert_false (g_file_test (bad, G_FILE_TEST_EXISTS));
  g_assert_true (no_temporary_files (f->dir));
}

/* Hessian and weights files open on the page (as the window's Open dialog hands them). */
static void
test_open_files (Fixture *f, gconstpointer data)
{
  g_autofree char *h5 = g_build_filename (f->dir, "curvature.h5", NULL);
  g_autofree char *wh5 = g_build_filename (f->dir, "weights.h5", NULL);
  g_autoptr(GError) error = NULL;
  ReliefSpectraPage *other = g_object_new (RELIEF_TYPE_SPECTRA_PAGE, NULL);
  GtkWidget *window = gtk_window_new ();
  double lambda_max;

  compute (f, 2, FALSE);
  lambda_max = relief_spectra_page_get_hessian (f->page, NULL)->largest.values[0];
  g_assert_true (relief_spectra_page_export_data (f->page, RELIEF_SPECTRA_DATA_CURVATURE, h5, &error));
  g_assert_true (relief_spectra_page_export_data (f->page, RELIEF_SPECTRA_DATA_WEIGHTS, wh5, &error));
  g_assert_no_error (error);

  gtk_window_set_child (GTK_WINDOW (window), GTK_WIDGET (other));
  gtk_window_present (GTK_WINDOW (window));
  g_assert_false (relief_page_open (RELIEF_PAGE (other), h5, RELIEF_FILE_KIND_RUN));
  g_assert_true (relief_page_open (RELIEF_PAGE (other), h5, RELIEF_FILE_KIND_HESSIAN));
  g_assert_cmpfloat (relief_spectra_page_get_hessian (other, NULL)->largest.values[0], ==, lambda_max);
  g_assert_true (g_str_has_prefix (gtk_label_get_text (GTK_LABEL (gtk_widget_get_template_child (
                                     GTK_WIDGET (other), RELIEF_TYPE_SPECTRA_PAGE, "status_label"))), "Opened"));
  g_assert_true (relief_page_open (RELIEF_PAGE (other), wh5, RELIEF_FILE_KIND_WEIGHTS));
  g_assert_nonnull (relief_spectra_page_get_weights (other, NULL));
  /* Its run is there: the page takes it up, and Compute can run. */
  g_assert_true (iterate_until (weights_ready, other));
  g_assert_cmpint (relief_spectra_page_get_weights (other, NULL)->n_snapshots, ==, 5);
  g_assert_true (gtk_widget_is_sensitive (GTK_WIDGET (gtk_widget_get_template_child (
                   GTK_WIDGET (other), RELIEF_TYPE_SPECTRA_PAGE, "trajectory_row"))));

  /* Its run gone: the curvature still shows, the weights shown before go, and the page
   * says Compute cannot compute it again. */
  {
    g_autofree char *moved = g_strconcat (f->run_path, ".away", NULL);

    g_assert_cmpint (g_rename (f->run_path, moved), ==, 0);
    g_assert_true (relief_page_open (RELIEF_PAGE (other), h5, RELIEF_FILE_KIND_HESSIAN));
    g_assert_cmpfloat (relief_spectra_page_get_hessian (other, NULL)->largest.values[0], ==, lambda_max);
    g_assert_null (relief_spectra_page_get_weights (other, NULL));
    g_assert_nonnull (strstr (gtk_label_get_text (GTK_LABEL (gtk_widget_get_template_child (
                                GTK_WIDGET (other), RELIEF_TYPE_SPECTRA_PAGE, "status_label"))),
                              "its run is not there"));
    relief_page_run (RELIEF_PAGE (other));
    g_assert_false (relief_page_is_running (RELIEF_PAGE (other)));
    g_assert_cmpint (g_rename (moved, f->run_path), ==, 0);
  }
  gtk_window_destroy (GTK_WINDOW (window));
}

/* While another page trains, the spectra say they are the previous run's; a new run's
 * weights come at once and its curvature is marked until Compute. */
static void
test_previous_run_marked (Fixture *f, gconstpointer data)
{
  g_autofree char *second = NULL;
  gboolean stale = FALSE;

  compute (f, 2, FALSE);
  relief_page_expect_run (RELIEF_PAGE (f->page), TRUE);
  g_assert_nonnull (strstr (label_text (f->page, "status_label"), "previous run"));
  relief_spectra_page_get_hessian (f->page, &stale);
  g_assert_true (stale);
  relief_page_expect_run (RELIEF_PAGE (f->page), FALSE);
  g_assert_null (strstr (label_text (f->page, "status_label"), "previous run"));
  relief_spectra_page_get_hessian (f->page, &stale);
  g_assert_false (stale);

  second = train_run (f->dir, "second.h5", NULL);
  relief_page_expect_run (RELIEF_PAGE (f->page), TRUE);
  g_assert_true (relief_page_show_run (RELIEF_PAGE (f->page), second));
  relief_spectra_page_get_hessian (f->page, &stale);
  g_assert_true (stale);
  g_assert_nonnull (strstr (label_text (f->page, "status_label"), "previous run"));
  g_assert_true (iterate_until (weights_ready, f->page));
  g_assert_cmpstr (relief_spectra_page_get_weights (f->page, NULL)->run_file, ==, second);
  relief_page_run (RELIEF_PAGE (f->page));
  g_assert_true (iterate_until (page_idle, f->page));
  relief_spectra_page_get_hessian (f->page, &stale);
  g_assert_false (stale);
}

static GtkWidget *
find_dialog (GtkWindow *window)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GObject) w = g_list_model_get_item (toplevels, i);

      if (ADW_IS_MESSAGE_DIALOG (w) && gtk_window_get_transient_for (GTK_WINDOW (w)) == window)
        return GTK_WIDGET (w);
    }
  return NULL;
}

/* A run whose data set (a CSV file) is gone: its weights still show (they need only its
 * parameters), and Compute says why it cannot, in the status line and a dialog. */
static void
test_missing_dataset (Fixture *f, gconstpointer data)
{
  g_autofree char *csv = g_build_filename (f->dir, "points.csv", NULL);
  g_autofree char *run = NULL;
  g_autoptr(GString) text = g_string_new ("x1,x2,label\n");
  GtkWidget *dialog;

  for (int i = 0; i < 60; i++)
    g_string_append_printf (text, "%g,%g,%d\n", cos (i), sin (3 * i), i % 2);
  g_assert_true (g_file_set_contents (csv, text->str, text->len, NULL));
  run = train_run (f->dir, "csv-run.h5", csv);
  g_assert_cmpint (g_remove (csv), ==, 0);

  relief_spectra_page_set_run (f->page, run);
  g_assert_true (iterate_until (weights_ready, f->page));
  relief_page_run (RELIEF_PAGE (f->page));
  g_assert_true (iterate_until (page_idle, f->page));
  g_assert_null (relief_spectra_page_get_hessian (f->page, NULL));
  g_assert_nonnull (strstr (label_text (f->page, "status_label"), "points.csv"));
  dialog = find_dialog (GTK_WINDOW (f->window));
  g_assert_nonnull (dialog);
  gtk_window_destroy (GTK_WINDOW (dialog));
}

/* A cancel mid-work keeps the curvature shown and says so. */
static void
test_cancel (Fixture *f, gconstpointer data)
{
  double lambda_max;

  compute (f, 2, FALSE);
  lambda_max = relief_spectra_page_get_hessian (f->page, NULL)->largest.values[0];
  hold_products (TRUE);
  relief_page_run (RELIEF_PAGE (f->page));
  g_assert_true (iterate_until (product_waiting, NULL));
  relief_page_cancel (RELIEF_PAGE (f->page));
  hold_products (FALSE);
  g_assert_true (iterate_until (page_idle, f->page));
  g_assert_true (g_str_has_prefix (label_text (f->page, "status_label"), "Cancelled"));
  g_assert_cmpfloat (relief_spectra_page_get_hessian (f->page, NULL)->largest.values[0], ==, lambda_max);
}

/* ---- In the window ---- */

typedef struct {
  ReliefSpectraPage *page;
  const char        *run_path;
} RunWait;

static gboolean
run_taken_up (gpointer data)
{
  RunWait *r = data;
  const ReliefWeights *w = relief_spectra_page_get_weights (r->page, NULL);

  return weights_ready (r->page) && g_strcmp0 (w->run_file, r->run_path) == 0;
}

/* Alt+4 shows the Spectra page; a run another page made is taken up there too (not only
 * by the first page that takes runs up). */
static void
test_in_window (void)
{
  g_autofree char *dir = g_dir_make_tmp ("relief-spectra-XXXXXX", NULL);
  const int hidden[] = { 32, 32 };
  g_autofree char *run_path = train_model (dir, "spiral-32-32.h5", NULL, hidden, G_N_ELEMENTS (hidden));
  g_autoptr(GError) error = NULL;
  ReliefApplication *app = relief_application_new ();
  ReliefWindow *window;
  ReliefPage *spectra, *train;
  GtkWidget *stack;
  g_auto(GStrv) actions = NULL;
  RunWait wait;

  g_assert_true (g_application_register (G_APPLICATION (app), NULL, &error));
  g_assert_no_error (error);
  window = relief_window_new (GTK_APPLICATION (app));
  gtk_window_present (GTK_WINDOW (window));
  spectra = relief_window_get_page (window, "spectra");
  train = relief_window_get_page (window, "train");
  g_assert_nonnull (spectra);
  stack = gtk_widget_get_ancestor (GTK_WIDGET (spectra), ADW_TYPE_VIEW_STACK);

  actions = gtk_application_get_actions_for_accel (GTK_APPLICATION (app), "<Alt>4");
  g_assert_cmpuint (g_strv_length (actions), ==, 1);
  g_assert_cmpstr (actions[0], ==, "win.show-page(3)");
  g_assert_true (adw_view_stack_get_visible_child (ADW_VIEW_STACK (stack)) == GTK_WIDGET (train));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.show-page", "i", 3));
  g_assert_true (adw_view_stack_get_visible_child (ADW_VIEW_STACK (stack)) == GTK_WIDGET (spectra));

  relief_page_run_ready (train, run_path);
  wait = (RunWait) { RELIEF_SPECTRA_PAGE (spectra), run_path };
  g_assert_true (iterate_until (run_taken_up, &wait));

  /* Ctrl+Return's action computes the curvature of the page shown. */
  relief_combo_select_enum (ADW_COMBO_ROW (gtk_widget_get_template_child (GTK_WIDGET (spectra),
                                                                          RELIEF_TYPE_SPECTRA_PAGE, "backend_row")),
                            RELIEF_BACKEND_CPU);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.run", NULL));
  g_assert_true (relief_page_is_running (spectra));
  g_assert_true (iterate_until (page_idle, spectra));
  g_assert_nonnull (relief_spectra_page_get_hessian (RELIEF_SPECTRA_PAGE (spectra), NULL));
  screenshot (GTK_WIDGET (window), "spectra-page");
  if (g_getenv ("RELIEF_SCREENSHOT_DIR"))
    {
      g_autofree char *figure = g_build_filename (g_getenv ("RELIEF_SCREENSHOT_DIR"), "spectra-figure.png", NULL);
      g_autoptr(GFile) file = g_file_new_for_path (figure);

      relief_spectra_page_export_figure (RELIEF_SPECTRA_PAGE (spectra), file);
      /* And with a readout: the pointer over the top singular values. */
      hover (RELIEF_SPECTRA_PAGE (spectra), RELIEF_SPECTRA_PLOT_TOP, 12, 3);
      screenshot (GTK_WIDGET (window), "spectra-hover");
      /* The smallest window. */
      gtk_window_set_default_size (GTK_WINDOW (window), 800, 600);
      screenshot (GTK_WIDGET (window), "spectra-800x600");
    }

  /* The Landscape page took it up as well and computes; stop it before closing. */
  relief_page_cancel (relief_window_get_page (window, "landscape"));
  g_assert_true (iterate_until (page_idle, relief_window_get_page (window, "landscape")));
  gtk_window_destroy (GTK_WINDOW (window));
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_object_unref (app);
  remove_tree (dir);
}

#define ADD(name, func) g_test_add (name, Fixture, NULL, fixture_setup, func, fixture_teardown)

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  if (!test_gtk_display ())
    return 77;
  adw_init ();
  /* The window's templates, registered once by the application's class (twice, the
   * static resource would be listed in a loop). */
  g_type_class_unref (g_type_class_ref (RELIEF_TYPE_APPLICATION));
  ADD ("/spectra-page/curvature-matches-dense", test_curvature_matches_dense);
  ADD ("/spectra-page/hover-readouts", test_hover_readouts);
  ADD ("/spectra-page/layers-and-scrubber", test_layers_and_scrubber);
  ADD ("/spectra-page/exports", test_exports);
  ADD ("/spectra-page/open-files", test_open_files);
  ADD ("/spectra-page/previous-run-marked", test_previous_run_marked);
  ADD ("/spectra-page/missing-dataset", test_missing_dataset);
  ADD ("/spectra-page/cancel", test_cancel);
  g_test_add_func ("/spectra-page/in-window", test_in_window);
  return g_test_run ();
}
