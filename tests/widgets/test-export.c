/* Tests of figure export: formats, sizes, errors, and no files left behind. */
#include "relief-plot.h"

#include <cairo.h>
#include <errno.h>
#include <gio/gio.h>
#include <glib/gstdio.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../test-fsize.h"

static void
draw_lines (cairo_t *cr, double width, double height, gpointer user_data)
{
  static const double x[3] = { 0, 1, 2 }, y[3] = { 2, 1, 1.5 };
  ReliefLineSeries series = { "train", 3, x, y, { 0.1, 0.4, 0.7 }, FALSE };
  ReliefLinePlotSpec spec = { .title = "Loss", .xlabel = "step", .ylabel = "loss", .n_series = 1,
                              .series = &series, .legend = TRUE };
  int *calls = user_data;

  (*calls)++;
  relief_plot_lines (cr, width, height, &spec, NULL);
}

static char *
make_tmpdir (void)
{
  g_autoptr(GError) error = NULL;
  char *dir = g_dir_make_tmp ("relief-export-XXXXXX", &error);

  g_assert_no_error (error);
  return dir;
}

/* The number of entries in dir, to see that no temporary file stayed behind. */
static guint
count_entries (const char *dir)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  guint n = 0;

  while (g_dir_read_name (d))
    n++;
  return n;
}

static void
remove_tree (const char *dir)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;

  while ((name = g_dir_read_name (d)))
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);

      g_assert_cmpint (g_unlink (path), ==, 0);
    }
  g_assert_cmpint (g_rmdir (dir), ==, 0);
}

static void
assert_starts_with (const char *path, const char *magic, gsize len)
{
  g_autofree char *contents = NULL;
  gsize size;
  g_autoptr(GError) error = NULL;

  g_assert_true (g_file_get_contents (path, &contents, &size, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (size, >=, len);
  g_assert_cmpmem (contents, len, magic, len);
}

static void
test_export_formats (void)
{
  g_autofree char *dir = make_tmpdir ();
  g_autofree char *png = g_build_filename (dir, "figure.png", NULL);
  g_autofree char *svg = g_build_filename (dir, "figure.svg", NULL);
  g_autofree char *pdf = g_build_filename (dir, "figure.PDF", NULL);
  g_autoptr(GError) error = NULL;
  cairo_surface_t *image;
  int calls = 0;

  g_assert_true (relief_plot_export (png, 324, 216, 150, draw_lines, &calls, &error));
  g_assert_no_error (error);
  assert_starts_with (png, "\x89PNG", 4);
  image = cairo_image_surface_create_from_png (png);
  g_assert_cmpint (cairo_surface_status (image), ==, CAIRO_STATUS_SUCCESS);
  g_assert_cmpint (cairo_image_surface_get_width (image), ==, 324 * 150 / 72);
  g_assert_cmpint (cairo_image_surface_get_height (image), ==, 216 * 150 / 72);
  cairo_surface_destroy (image);

  g_assert_true (relief_plot_export (svg, 324, 216, 150, draw_lines, &calls, &error));
  g_assert_no_error (error);
  {
    g_autofree char *contents = NULL;

    g_assert_true (g_file_get_contents (svg, &contents, NULL, NULL));
    g_assert_true (g_str_has_prefix (contents, "<?xml") || g_str_has_prefix (contents, "<svg"));
    g_assert_nonnull (strstr (contents, "<svg"));
  }

  g_assert_true (relief_plot_export (pdf, 324, 216, 72, draw_lines, &calls, &error));
  g_assert_no_error (error);
  assert_starts_with (pdf, "%PDF", 4);

  g_assert_cmpint (calls, ==, 3);
  /* Only the three figures: the temporary files were renamed. */
  g_assert_cmpuint (count_entries (dir), ==, 3);

  /* Overwriting an existing figure works and still leaves nothing else. */
  g_assert_true (relief_plot_export (png, 100, 100, 72, draw_lines, &calls, &error));
  g_assert_no_error (error);
  image = cairo_image_surface_create_from_png (png);
  g_assert_cmpint (cairo_image_surface_get_width (image), ==, 100);
  cairo_surface_destroy (image);
  g_assert_cmpuint (count_entries (dir), ==, 3);
  remove_tree (dir);
}

/* The histogram, polygon and multi-path primitives through every format; the PNG shows
 * each one's color where it must be. */
typedef struct {
  int kind;                       /* 0 histogram, 1 polygons, 2 paths on a map */
  ReliefPlotFrame frame;          /* in points */
  double x, y;                    /* a point in data units that must show rgb */
  double rgb[3];
} Primitive;

static void
draw_primitive (cairo_t *cr, double width, double height, gpointer user_data)
{
  static const double edges[4] = { 0, 1, 2, 3 }, counts[3] = { 2, 5, 1 };
  static const double px[4] = { 0, 2, 2, 0 }, py[4] = { 0, 0, 1, 2 };
  static const double xs[3] = { 0, 1, 2 }, z[9] = { 0, 1, 2, 1, 2, 3, 2, 3, 4 };
  static const double ax[2] = { 0.2, 1.8 }, ay[2] = { 1, 1 };
  Primitive *p = user_data;

  if (p->kind == 0)
    {
      ReliefHistogramSpec spec = { .title = "Spectrum", .n_bins = 3, .edges = edges, .counts = counts,
                                   .rgb = { 0.2, 0.4, 0.8 } };

      relief_plot_histogram (cr, width, height, &spec, &p->frame);
      p->x = 1.5, p->y = 2.5;
      memcpy (p->rgb, spec.rgb, sizeof p->rgb);
    }
  else if (p->kind == 1)
    {
      ReliefPolygon polygon = { 4, px, py, { 0.9, 0.3, 0.2 }, { 0.1, 0.1, 0.1 } };
      ReliefPolygonPlotSpec spec = { .title = "Regions", .n_polygons = 1, .polygons = &polygon, .outline_width = 1 };

      relief_plot_polygons (cr, width, height, &spec, &p->frame);
      p->x = 1, p->y = 0.5;
      memcpy (p->rgb, polygon.fill, sizeof p->rgb);
    }
  else
    {
      ReliefLineSeries path = { "SGD", 2, ax, ay, { 1, 0, 0 }, FALSE };
      ReliefHeatmapSpec spec = { .title = "Race", .nx = 3, .ny = 3, .xs = xs, .ys = xs, .z = z, .filled = TRUE,
                                 .n_levels = 4, .path_marker = -1, .n_paths = 1, .paths = &path };

      relief_plot_heatmap (cr, width, height, &spec, &p->frame);
      p->x = 1, p->y = 1;
      memcpy (p->rgb, path.rgb, sizeof p->rgb);
    }
}

static void
test_export_primitives (void)
{
  g_autofree char *dir = make_tmpdir ();
  g_autofree char *png = g_build_filename (dir, "figure.png", NULL);
  g_autofree char *svg = g_build_filename (dir, "figure.svg", NULL);
  g_autofree char *pdf = g_build_filename (dir, "figure.pdf", NULL);

  for (int kind = 0; kind < 3; kind++)
    {
      Primitive p = { kind };
      g_autoptr(GError) error = NULL;
      cairo_surface_t *image;
      double x, y;
      guint32 pixel;

      g_assert_true (relief_plot_export (png, 288, 216, 144, draw_primitive, &p, &error));
      g_assert_no_error (error);
      image = cairo_image_surface_create_from_png (png);
      g_assert_cmpint (cairo_surface_status (image), ==, CAIRO_STATUS_SUCCESS);
      g_assert_cmpint (cairo_image_surface_get_width (image), ==, 576);
      /* 144 dpi: two pixels a point. */
      relief_plot_frame_from_data (&p.frame, p.x, p.y, &x, &y);
      pixel = ((const guint32 *) (cairo_image_surface_get_data (image)
                                  + (gsize) (2 * y) * cairo_image_surface_get_stride (image)))[(int) (2 * x)];
      for (int c = 0; c < 3; c++)
        g_assert_cmpint (abs ((int) ((pixel >> (16 - 8 * c)) & 0xff) - (int) lround (255 * p.rgb[c])), <=, 2);
      cairo_surface_destroy (image);

      g_assert_true (relief_plot_export (svg, 288, 216, 144, draw_primitive, &p, &error));
      g_assert_no_error (error);
      {
        g_autofree char *contents = NULL;

        g_assert_true (g_file_get_contents (svg, &contents, NULL, NULL));
        g_assert_nonnull (strstr (contents, "<svg"));
      }
      g_assert_true (relief_plot_export (pdf, 288, 216, 144, draw_primitive, &p, &error));
      g_assert_no_error (error);
      assert_starts_with (pdf, "%PDF", 4);
    }
  g_assert_cmpuint (count_entries (dir), ==, 3);
  remove_tree (dir);
}

/* A figure is never saved over what is not a regular file: a pipe (or /dev/null) stays. */
static void
test_export_not_regular (void)
{
  g_autofree char *dir = make_tmpdir ();
  g_autofree char *fifo = g_build_filename (dir, "figure.png", NULL);
  g_autoptr(GError) error = NULL;
  GStatBuf st;
  int calls = 0;

  g_assert_cmpint (mkfifo (fifo, 0600), ==, 0);
  g_assert_false (relief_plot_export (fifo, 100, 100, 72, draw_lines, &calls, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_REGULAR_FILE);
  g_assert_cmpint (calls, ==, 0);
  g_assert_cmpint (g_lstat (fifo, &st), ==, 0);
  g_assert_true (S_ISFIFO (st.st_mode));
  g_assert_cmpuint (count_entries (dir), ==, 1);
  remove_tree (dir);
}

static void
test_export_supported (void)
{
  g_assert_true (relief_plot_export_supported ("a.png"));
  g_assert_true (relief_plot_export_supported ("dir.x/a.Svg"));
  g_assert_true (relief_plot_export_supported ("/tmp/a.pdf"));
  g_assert_false (relief_plot_export_supported ("a.jpg"));
  g_assert_false (relief_plot_export_supported ("dir.png/a"));
  g_assert_false (relief_plot_export_supported ("png"));
  g_assert_false (relief_plot_export_supported (NULL));
}

static void
test_export_errors (void)
{
  g_autofree char *dir = make_tmpdir ();
  g_autofree char *jpg = g_build_filename (dir, "figure.jpg", NULL);
  g_autofree char *missing = g_build_filename (dir, "no-such-dir", "figure.png", NULL);
  g_autofree char *locked = g_build_filename (dir, "locked", NULL);
  g_autofree char *in_locked = g_build_filename (locked, "figure.pdf", NULL);
  g_autoptr(GError) error = NULL;
  int calls = 0;

  g_assert_false (relief_plot_export (jpg, 100, 100, 72, draw_lines, &calls, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED);
  g_assert_nonnull (strstr (error->message, "figure.jpg"));
  g_clear_error (&error);

  g_assert_false (relief_plot_export (missing, 100, 100, 72, draw_lines, &calls, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  g_clear_error (&error);

  g_assert_false (relief_plot_export (jpg, 0, 100, 72, draw_lines, &calls, &error));
  g_assert_nonnull (error);
  g_clear_error (&error);

  /* A "directory" that is a file: no one can write into it, not even root. */
  g_assert_true (g_file_set_contents (locked, "", 0, NULL));
  g_assert_false (relief_plot_export (in_locked, 100, 100, 72, draw_lines, &calls, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_DIRECTORY);
  g_clear_error (&error);
  g_assert_cmpint (g_unlink (locked), ==, 0);

  /* A directory without write permission (root may write anyway: then nothing to check). */
  g_assert_cmpint (g_mkdir (locked, 0555), ==, 0);
  if (access (locked, W_OK) != 0)
    {
      g_assert_false (relief_plot_export (in_locked, 100, 100, 72, draw_lines, &calls, &error));
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED);
      g_clear_error (&error);
      g_assert_cmpuint (count_entries (locked), ==, 0);
    }
  g_assert_cmpint (g_rmdir (locked), ==, 0);

  /* Nothing drawn, nothing written. */
  g_assert_cmpint (calls, ==, 0);
  g_assert_cmpuint (count_entries (dir), ==, 0);
  remove_tree (dir);
}

/* A full disk (RLIMIT_FSIZE: writes past the limit fail with EFBIG): early, and at the
 * very end, where a PDF writes its trailer as the surface finishes.  The export fails
 * with one line naming the file, as the window's export shows it, and the figure there
 * before is kept byte for byte. */
static void
test_export_disk_full (void)
{
  const char *names[] = { "figure.png", "figure.svg", "figure.pdf" };
  g_autofree char *dir = make_tmpdir ();
  int calls = 0;

  for (gsize i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autofree char *path = g_build_filename (dir, names[i], NULL);
      g_autofree char *before = NULL;
      g_autofree char *expected = g_strdup_printf ("Cannot write “%s”: %s", path, g_strerror (EFBIG));
      gsize before_len;

      g_assert_true (relief_plot_export (path, 324, 216, 150, draw_lines, &calls, NULL));
      g_assert_true (g_file_get_contents (path, &before, &before_len, NULL));
      g_assert_cmpuint (before_len, >, 2048);
      for (int at_end = 0; at_end < 2; at_end++)
        {
          g_autoptr(GError) error = NULL;
          g_autofree char *now = NULL;
          gsize now_len;
          FsizeLimit limit;

          /* The same figure larger: it cannot fit where the old one just did. */
          fsize_limit_begin (&limit, at_end ? before_len - 64 : 1024);
          g_assert_false (relief_plot_export (path, 324, 216, 300, draw_lines, &calls, &error));
          fsize_limit_end (&limit);
          g_assert_error (error, G_IO_ERROR, G_IO_ERROR_FAILED);
          g_assert_cmpstr (error->message, ==, expected);
          g_assert_true (g_file_get_contents (path, &now, &now_len, NULL));
          g_assert_cmpmem (now, now_len, before, before_len);
          g_assert_cmpuint (count_entries (dir), ==, i + 1);
        }
    }
  remove_tree (dir);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  g_test_add_func ("/export/formats", test_export_formats);
  g_test_add_func ("/export/primitives", test_export_primitives);
  g_test_add_func ("/export/not-regular", test_export_not_regular);
  g_test_add_func ("/export/supported", test_export_supported);
  g_test_add_func ("/export/errors", test_export_errors);
  g_test_add_func ("/export/disk-full", test_export_disk_full);
  return g_test_run ();
}
