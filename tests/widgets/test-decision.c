/* Tests of the decision grid (against a forward pass written here) and its figure. */
#include "relief-decision.h"
#include "relief-plot.h"

#include <gio/gio.h>
#include <math.h>

/* The logits of one input by the book: double precision, one layer after another. */
static void
naive_forward (const ReliefMlpSpec *spec, const float *params, double x0, double x1, double *out)
{
  double a[64] = { x0, x1 }, b[64];

  for (int l = 0; l < spec->n_layers; l++)
    {
      int n_in = spec->sizes[l], n_out = spec->sizes[l + 1];
      const float *w = params + relief_mlp_spec_weight_offset (spec, l);
      const float *bias = params + relief_mlp_spec_bias_offset (spec, l);

      for (int o = 0; o < n_out; o++)
        {
          double v = bias[o];

          for (int i = 0; i < n_in; i++)
            v += (double) w[o * n_in + i] * a[i];
          b[o] = l + 1 < spec->n_layers ? tanh (v) : v;
        }
      for (int o = 0; o < n_out; o++)
        a[o] = b[o];
    }
  for (int o = 0; o < spec->sizes[spec->n_layers]; o++)
    out[o] = a[o];
}

static void
test_predict_grid (void)
{
  const int sizes[] = { 2, 16, 12, 3 };
  g_autoptr(ReliefMlpSpec) spec = relief_mlp_spec_new (sizes, 4, RELIEF_ACT_TANH, RELIEF_LOSS_CROSS_ENTROPY);
  g_autoptr(ReliefBackend) backend = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree float *params = g_new (float, relief_mlp_spec_n_params (spec));
  /* More points than one batch, so the batches join up. */
  enum { NX = 97, NY = 61 };
  g_autofree int *classes = g_new (int, NX * NY);
  g_autofree float *confidence = g_new (float, NX * NY);
  int counts[3] = { 0 };

  backend = relief_backend_new ("cpu", &error);
  g_assert_no_error (error);
  relief_mlp_init_params (spec, 11, params);
  /* Larger weights than PyTorch's init, so that the plane holds all three classes. */
  for (gsize k = 0; k < relief_mlp_spec_n_params (spec); k++)
    params[k] *= 4;

  g_assert_true (relief_mlp_predict_grid (backend, spec, params, -3, 2, -1, 4, NX, NY, classes, confidence, &error));
  g_assert_no_error (error);
  for (int j = 0; j < NY; j++)
    for (int i = 0; i < NX; i++)
      {
        double logits[3], sum = 0, margin = INFINITY;
        int k = j * NX + i, best = 0;

        naive_forward (spec, params, -3 + 5.0 * i / (NX - 1), -1 + 5.0 * j / (NY - 1), logits);
        for (int c = 1; c < 3; c++)
          if (logits[c] > logits[best])
            best = c;
        for (int c = 0; c < 3; c++)
          {
            sum += exp (logits[c] - logits[best]);
            if (c != best)
              margin = MIN (margin, logits[best] - logits[c]);
          }
        /* float32 against double: near-ties may go either way. */
        if (margin > 1e-4)
          g_assert_cmpint (classes[k], ==, best);
        g_assert_cmpfloat_with_epsilon (confidence[k], 1 / sum, 1e-5);
        g_assert_cmpfloat (confidence[k], >=, 1.0 / 3 - 1e-6);
        counts[classes[k]]++;
      }
  for (int c = 0; c < 3; c++)
    g_assert_cmpint (counts[c], >, 0);

  /* Confidence is optional; a single point sits at the lower corner. */
  g_assert_true (relief_mlp_predict_grid (backend, spec, params, 0.5, 9, -0.25, 9, 1, 1, classes, NULL, &error));
  {
    double logits[3];
    int best = 0;

    naive_forward (spec, params, 0.5, -0.25, logits);
    for (int c = 1; c < 3; c++)
      if (logits[c] > logits[best])
        best = c;
    g_assert_cmpint (classes[0], ==, best);
  }
}

static void
test_predict_grid_errors (void)
{
  const int sizes[] = { 3, 4, 2 };
  g_autoptr(ReliefMlpSpec) spec = relief_mlp_spec_new (sizes, 3, RELIEF_ACT_RELU, RELIEF_LOSS_CROSS_ENTROPY);
  g_autoptr(ReliefBackend) backend = relief_backend_new ("cpu", NULL);
  g_autoptr(GError) error = NULL;
  g_autofree float *params = g_new0 (float, relief_mlp_spec_n_params (spec));
  int classes[4];

  g_assert_false (relief_mlp_predict_grid (backend, spec, params, 0, 1, 0, 1, 2, 2, classes, NULL, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  spec->sizes[0] = 2;
  g_assert_false (relief_mlp_predict_grid (backend, spec, params, 0, 1, 0, 1, 0, 2, classes, NULL, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
}

static void
pixel (cairo_surface_t *s, double x, double y, double rgb[3])
{
  guint32 p = ((const guint32 *) (cairo_image_surface_get_data (s)
                                  + (gsize) (int) y * cairo_image_surface_get_stride (s)))[(int) x];

  rgb[0] = ((p >> 16) & 0xff) / 255.0;
  rgb[1] = ((p >> 8) & 0xff) / 255.0;
  rgb[2] = (p & 0xff) / 255.0;
}

/* Where along white -> color a pixel lies (0 white, 1 the color), checking it is on that
 * line. */
static double
tint_of (const double rgb[3], const double color[3])
{
  double t = 0, n = 0;

  for (int c = 0; c < 3; c++)
    if (1 - color[c] > 0.2)
      {
        t += (1 - rgb[c]) / (1 - color[c]);
        n++;
      }
  t /= n;
  for (int c = 0; c < 3; c++)
    g_assert_cmpfloat_with_epsilon (rgb[c], 1 - t + t * color[c], 0.03);
  return t;
}

/* Left half class 0, right half class 1; two samples, each of the other class than the
 * region it sits in so that the dot color cannot come from the region. */
static void
test_figure (void)
{
  enum { NX = 40, NY = 30 };
  int classes[NX * NY];
  float confidence[NX * NY], samples[4] = { -0.5f, 0.5f, 0.5f, -0.5f };
  gint32 labels[2] = { 1, 0 };
  ReliefDecisionSpec spec = {
    .title = "Decision", .xlabel = "x1", .ylabel = "x2", .nx = NX, .ny = NY,
    .xmin = -1, .xmax = 1, .ymin = -1, .ymax = 1, .classes = classes, .confidence = NULL, .n_classes = 2,
    .n_samples = 2, .samples = samples, .labels = labels,
  };
  cairo_surface_t *s = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, 400, 300);
  cairo_t *cr = cairo_create (s);
  ReliefPlotFrame frame;
  double rgb[3], c0[3], c1[3], px, py, sure, unsure;

  for (int k = 0; k < NX * NY; k++)
    {
      classes[k] = k % NX < NX / 2 ? 0 : 1;
      confidence[k] = 0.55f;
    }
  relief_plot_palette (0, c0);
  relief_plot_palette (1, c1);

  relief_plot_decision (cr, 400, 300, &spec, &frame);
  g_assert_cmpint (cairo_status (cr), ==, CAIRO_STATUS_SUCCESS);
  cairo_surface_flush (s);
  g_assert_cmpfloat (frame.xmin, ==, -1);
  g_assert_cmpfloat (frame.ymax, ==, 1);

  /* The dots in their label's color. */
  relief_plot_frame_from_data (&frame, -0.5, 0.5, &px, &py);
  pixel (s, px, py, rgb);
  for (int c = 0; c < 3; c++)
    g_assert_cmpfloat_with_epsilon (rgb[c], c1[c], 0.02);
  relief_plot_frame_from_data (&frame, 0.5, -0.5, &px, &py);
  pixel (s, px, py, rgb);
  for (int c = 0; c < 3; c++)
    g_assert_cmpfloat_with_epsilon (rgb[c], c0[c], 0.02);

  /* The regions in tints of their class, fully sure without confidences. */
  relief_plot_frame_from_data (&frame, -0.6, -0.6, &px, &py);
  pixel (s, px, py, rgb);
  sure = tint_of (rgb, c0);
  relief_plot_frame_from_data (&frame, 0.6, 0.6, &px, &py);
  pixel (s, px, py, rgb);
  g_assert_cmpfloat_with_epsilon (tint_of (rgb, c1), sure, 0.02);

  /* Less sure: paler. */
  spec.confidence = confidence;
  relief_plot_decision (cr, 400, 300, &spec, &frame);
  cairo_surface_flush (s);
  relief_plot_frame_from_data (&frame, -0.6, -0.6, &px, &py);
  pixel (s, px, py, rgb);
  unsure = tint_of (rgb, c0);
  g_assert_cmpfloat (unsure, <, sure - 0.2);
  g_assert_cmpfloat (unsure, >, 0.05);

  cairo_destroy (cr);
  cairo_surface_destroy (s);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  g_test_add_func ("/decision/predict-grid", test_predict_grid);
  g_test_add_func ("/decision/predict-grid-errors", test_predict_grid_errors);
  g_test_add_func ("/decision/figure", test_figure);
  return g_test_run ();
}
