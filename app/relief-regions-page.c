#include "relief-config.h"

#include <adwaita.h>
#include <glib/gi18n-lib.h>
#include <math.h>
#include <string.h>

#include "relief-controls.h"
#include "relief-enums.h"
#include "relief-figures.h"
#include "relief-loaded-run.h"
#include "relief-output.h"
#include "relief-regions-job.h"
#include "relief-regions-page.h"
#include "relief-work-dir.h"

/* Errors of the page's own checks, said in place of the regions rather than in a dialog:
 * the run has nothing to show. */
#define NO_REGIONS_ERROR G_IO_ERROR_NOT_SUPPORTED

struct _ReliefRegionsPage {
  ReliefPage parent_instance;

  /* template widgets */
  GtkWidget      *paned;          /* the root child, unparented in dispose */
  GtkWidget      *trajectory_row;
  GtkRange       *trajectory_scale;
  GtkWidget      *plane_row;
  GtkWidget      *sample0_row, *sample1_row, *sample2_row;
  GtkSpinButton  *sample0_spin, *sample1_spin, *sample2_spin;
  GtkImage       *sample0_picture, *sample1_picture, *sample2_picture;
  GtkSwitch      *auto_bounds_switch;
  GtkWidget      *u_min_row, *u_max_row, *v_min_row, *v_max_row;
  GtkSpinButton  *u_min_spin, *u_max_spin, *v_min_spin, *v_max_spin;
  AdwComboRow    *color_row;
  GtkSpinButton  *max_regions_spin;
  GtkLabel       *status_label;
  GtkLabel       *readout_label;
  GtkProgressBar *progress_bar;
  GtkDrawingArea *regions_area;

  /* owned */
  char              *run_path;
  ReliefLoadedRun   *run;          /* run_path with its data set, once a job loaded it */
  struct RegionsWork *work;        /* the running job's data */
  ReliefRegionsFile *rf;           /* what the plot shows: one checkpoint */
  char              *message;      /* shown instead, when the run has no regions to show */
  float              plane_samples[6];    /* the three samples at their plane points */
  gint32             plane_labels[3];
  ReliefPlotFrame    frame;        /* in pixels of regions_area */
  gboolean           has_frame;
  gboolean           hovering;
  double             hover_x, hover_y;
};

G_DEFINE_FINAL_TYPE (ReliefRegionsPage, relief_regions_page, RELIEF_TYPE_PAGE)

static void start_compute (ReliefRegionsPage *self, gboolean asked);
static char *figure_title (ReliefRegionsPage *self, cairo_t *cr, double width);
static void update_readout (ReliefRegionsPage *self);

static int
scrubbed (ReliefRegionsPage *self)
{
  return (int) gtk_range_get_value (self->trajectory_scale);
}

static const ReliefRun *
loaded_run (ReliefRegionsPage *self)
{
  return self->run ? relief_loaded_run_get_run (self->run) : NULL;
}

static const ReliefRegionsCheckpoint *
shown (ReliefRegionsPage *self)
{
  return self->rf && self->rf->n_checkpoints > 0 ? &self->rf->checkpoints[0] : NULL;
}

static gboolean
input_plane (const ReliefRegionsFile *rf)
{
  return g_strcmp0 (rf->plane_kind, "input") == 0;
}

/* ---- The job ---- */

/* Written by the worker thread, read by the page's tick. */
typedef struct RegionsWork {
  ReliefWorkShared   shared;       /* its lock also guards job.run's setting */
  char              *run_path;     /* loaded in the worker when job.run is NULL */
  ReliefRegionsJob   job;
  gboolean           asked;        /* Compute pressed, not a scrub or a run taken up */
  ReliefRegionsFile *result;
  double             seconds;      /* the partition's time, the run's loading not counted */
} RegionsWork;

static void
regions_work_free (gpointer data)
{
  RegionsWork *w = data;

  g_free (w->run_path);
  relief_regions_job_clear (&w->job);
  g_clear_pointer (&w->result, relief_regions_file_free);
  relief_work_shared_clear (&w->shared);
  g_free (w);
}

static gboolean
regions_work_run (gpointer data, GCancellable *cancellable, GError **error)
{
  RegionsWork *w = data;
  ReliefRegionsJobCallbacks cb = { .progress = relief_work_shared_progress, .user_data = w };
  const ReliefRun *run;
  gint64 began;

  if (!relief_work_shared_load_run (&w->shared, &w->job.run, w->run_path, error))
    return FALSE;
  run = relief_loaded_run_get_run (w->job.run);
  if (run->spec->activation != RELIEF_ACT_RELU && run->spec->activation != RELIEF_ACT_LEAKY_RELU)
    {
      g_set_error (error, G_IO_ERROR, NO_REGIONS_ERROR,
                   _("This network’s activation is %s: it is curved everywhere, so the network is affine on no "
                     "region of its input and has no linear regions. Train a relu or leaky_relu network to see them."),
                   relief_enum_to_nick (RELIEF_TYPE_ACTIVATION, run->spec->activation));
      return FALSE;
    }
  if (run->n_snapshots == 0)
    {
      g_set_error_literal (error, G_IO_ERROR, NO_REGIONS_ERROR,
                           _("This run has no checkpoints (it stopped before its first snapshot): there are no "
                             "parameters to compute regions of. Train it again."));
      return FALSE;
    }
  began = g_get_monotonic_time ();
  if (!relief_regions_job_run (&w->job, &cb, cancellable, &w->result, error))
    return FALSE;
  w->seconds = (g_get_monotonic_time () - began) / 1e6;
  /* Cancel pressed while the last polygons were being merged: what was asked for is
   * cancelled, and the regions shown stay, whatever came of it. */
  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    {
      g_clear_pointer (&w->result, relief_regions_file_free);
      return FALSE;
    }
  return TRUE;
}

static void
regions_tick (gpointer owner)
{
  ReliefRegionsPage *self = owner;
  RegionsWork *w = self->work;
  /* The page keeps the run the first job loaded, for every later one. */
  double fraction = relief_work_shared_keep_run (&w->shared, &w->job.run, w->run_path, &self->run, self->run_path);

  relief_page_set_progress (RELIEF_PAGE (self), fraction);
}

/* The scrubber's row says which checkpoint and step it is at. */
static void
update_trajectory_row (ReliefRegionsPage *self)
{
  const ReliefRun *run = loaded_run (self);
  g_autofree char *text = NULL;
  int t = scrubbed (self);

  gtk_widget_set_sensitive (self->trajectory_row, run != NULL && run->n_snapshots > 1);
  if (run == NULL || t >= run->n_snapshots)
    text = g_strdup (_("Scrub through training"));
  else
    text = g_strdup_printf (_("Checkpoint %d of %d, step %lld"), t, run->n_snapshots - 1,
                            (long long) run->snapshot_step[t]);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (self->trajectory_row), text);
}

/* The class of a sample as the sidebar says it: its number, with the name where the data
 * set has names for its classes (Fashion-MNIST's). */
static char *
class_text (const ReliefDataset *ds, int k)
{
  static const char *const fashion[] = { N_("T-shirt/top"), N_("trouser"), N_("pullover"), N_("dress"), N_("coat"),
                                         N_("sandal"), N_("shirt"), N_("sneaker"), N_("bag"), N_("ankle boot") };

  if (g_strcmp0 (ds->name, "fashion-mnist") == 0 && k >= 0 && k < (int) G_N_ELEMENTS (fashion))
    return g_strdup_printf (_("class %d (%s)"), k, _(fashion[k]));
  return g_strdup_printf (_("class %d"), k);
}

/* The side of the square grey images the samples are, or 0: the data sets carry no image
 * shape, so an image is n_features a square of 8 or more (colour images, 3 s², never are). */
static int
image_side (const ReliefDataset *ds)
{
  int side = (int) lround (sqrt (ds->n_features));

  return side >= 8 && side * side == ds->n_features ? side : 0;
}

/* A grey thumbnail of a square image sample (min to max) and its class under the row's
 * title; samples that are no square grey image (colour, or any other shape): no
 * thumbnail, and the row says the sample and its class. */
static void
set_thumbnail (GtkImage *picture, GtkWidget *row, const ReliefDataset *ds, int index)
{
  int side = image_side (ds);
  const float *x;
  float lo = INFINITY, hi = -INFINITY;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  g_autofree char *klass = NULL, *text = NULL;
  guint8 *pixels;

  if (index < 0 || index >= ds->n_train)
    {
      gtk_widget_set_visible (GTK_WIDGET (picture), FALSE);
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), "");
      return;
    }
  klass = class_text (ds, ds->y_train[index]);
  if (side == 0)
    {
      gtk_widget_set_visible (GTK_WIDGET (picture), FALSE);
      text = g_strdup_printf (_("Sample %d, %s (%d features: no picture, not a square grey image)"), index, klass,
                              ds->n_features);
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), text);
      return;
    }
  text = g_strdup_printf (_("Sample %d, %s"), index, klass);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), text);
  x = ds->x_train + (gsize) index * ds->n_features;
  for (int i = 0; i < ds->n_features; i++)
    lo = MIN (lo, x[i]), hi = MAX (hi, x[i]);
  /* RGB: GTK 4.8 has no grey memory format. */
  pixels = g_malloc ((gsize) 3 * ds->n_features);
  for (int i = 0; i < ds->n_features; i++)
    pixels[3 * i] = pixels[3 * i + 1] = pixels[3 * i + 2] = hi > lo ? (guint8) lround (255 * (x[i] - lo) / (hi - lo)) : 0;
  bytes = g_bytes_new_take (pixels, (gsize) 3 * ds->n_features);
  texture = gdk_memory_texture_new (side, side, GDK_MEMORY_R8G8B8, bytes, (gsize) 3 * side);
  gtk_image_set_from_paintable (picture, GDK_PAINTABLE (texture));
  gtk_widget_set_visible (GTK_WIDGET (picture), TRUE);
}

static void
update_thumbnails (ReliefRegionsPage *self)
{
  const ReliefRun *run = loaded_run (self);
  GtkImage *pictures[3] = { self->sample0_picture, self->sample1_picture, self->sample2_picture };
  GtkWidget *rows[3] = { self->sample0_row, self->sample1_row, self->sample2_row };
  GtkSpinButton *spins[3] = { self->sample0_spin, self->sample1_spin, self->sample2_spin };

  for (int i = 0; i < 3; i++)
    {
      if (run == NULL || run->dataset == NULL)
        {
          gtk_widget_set_visible (GTK_WIDGET (pictures[i]), FALSE);
          adw_action_row_set_subtitle (ADW_ACTION_ROW (rows[i]), "");
        }
      else
        set_thumbnail (pictures[i], rows[i], run->dataset, gtk_spin_button_get_value_as_int (spins[i]));
    }
}

/* The sidebar says the plane and rectangle the result is on: its samples in the spin
 * buttons (their range the run's training samples), its bounds in the automatic ones. */
static void
show_plane (ReliefRegionsPage *self)
{
  const ReliefRegionsFile *rf = self->rf;
  const ReliefRun *run = loaded_run (self);
  GtkSpinButton *spins[3] = { self->sample0_spin, self->sample1_spin, self->sample2_spin };
  GtkWidget *rows[3] = { self->sample0_row, self->sample1_row, self->sample2_row };
  gboolean input = rf == NULL || input_plane (rf);
  g_autofree char *text = NULL;

  for (int i = 0; i < 3; i++)
    {
      if (run != NULL && run->dataset != NULL)
        gtk_spin_button_set_range (spins[i], 0, MAX (run->dataset->n_train - 1, 0));
      if (rf != NULL && !input)
        gtk_spin_button_set_value (spins[i], rf->plane_samples[i]);
      gtk_widget_set_visible (rows[i], rf != NULL && !input);
    }
  if (rf == NULL)
    text = g_strdup (_("Train or open a run"));
  else if (input)
    text = g_strdup (_("The input plane (x₁, x₂)"));
  else if (run != NULL && run->dataset != NULL)
    {
      const gint32 *y = run->dataset->y_train;
      const int *s = rf->plane_samples;

      text = g_strdup_printf (_("Through samples %d, %d, %d (classes %d, %d, %d)"), s[0], s[1], s[2], y[s[0]], y[s[1]],
                              y[s[2]]);
    }
  else
    text = g_strdup_printf (_("Through samples %d, %d, %d"), rf->plane_samples[0], rf->plane_samples[1],
                            rf->plane_samples[2]);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (self->plane_row), text);
  if (rf != NULL && gtk_switch_get_active (self->auto_bounds_switch))
    {
      gtk_spin_button_set_value (self->u_min_spin, rf->plane->umin);
      gtk_spin_button_set_value (self->u_max_spin, rf->plane->umax);
      gtk_spin_button_set_value (self->v_min_spin, rf->plane->vmin);
      gtk_spin_button_set_value (self->v_max_spin, rf->plane->vmax);
    }
  update_thumbnails (self);
}

/* The samples drawn on the plane: the data of an input plane, the three of a plane
 * through samples at (0, 0), (1, 0), (0, 1). */
static int
plane_samples (ReliefRegionsPage *self, const float **samples, const gint32 **labels)
{
  const ReliefRun *run = loaded_run (self);
  const ReliefDataset *ds = run ? run->dataset : NULL;

  if (ds == NULL || self->rf == NULL)
    return 0;
  if (input_plane (self->rf))
    {
      *samples = ds->x_train;
      *labels = ds->y_train;
      return ds->n_features == 2 ? ds->n_train : 0;
    }
  for (int i = 0; i < 3; i++)
    {
      int s = self->rf->plane_samples[i];

      if (s < 0 || s >= ds->n_train)
        return 0;
      self->plane_labels[i] = ds->y_train[s];
    }
  memcpy (self->plane_samples, (const float[6]) { 0, 0, 1, 0, 0, 1 }, sizeof self->plane_samples);
  *samples = self->plane_samples;
  *labels = self->plane_labels;
  return 3;
}

static void
set_message (ReliefRegionsPage *self, const char *message)
{
  g_free (self->message);
  self->message = g_strdup (message);
}

static void
regions_done (gpointer owner, const GError *error)
{
  ReliefRegionsPage *self = owner;
  RegionsWork *w = self->work;
  const ReliefRegionsCheckpoint *c;
  gboolean first;
  g_autofree char *message = NULL;

  regions_tick (self);
  self->work = NULL;
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      relief_page_report_cancelled (RELIEF_PAGE (self),
                                    self->rf ? _("Cancelled: the regions shown are kept; Compute starts again")
                                             : _("Cancelled before the regions were done: Compute starts again"));
      return;
    }
  if (g_error_matches (error, G_IO_ERROR, NO_REGIONS_ERROR))
    {
      g_clear_pointer (&self->rf, relief_regions_file_free);
      set_message (self, error->message);
      relief_page_set_status (RELIEF_PAGE (self), error->message);
      relief_page_set_can_run (RELIEF_PAGE (self), FALSE);
      show_plane (self);
      gtk_widget_queue_draw (GTK_WIDGET (self->regions_area));
      return;
    }
  if (error)
    {
      /* The settings asked for (samples, bounds, a limit): a dialog; else the status line. */
      if (w->asked)
        relief_page_report_error (RELIEF_PAGE (self), _("The regions could not be computed"), error->message);
      else
        relief_page_set_status (RELIEF_PAGE (self), error->message);
      return;
    }
  first = self->rf == NULL || g_strcmp0 (self->rf->run_file, w->result->run_file) != 0;
  g_clear_pointer (&self->rf, relief_regions_file_free);
  self->rf = g_steal_pointer (&w->result);
  set_message (self, NULL);
  c = shown (self);
  if (first)
    {
      const ReliefRun *run = loaded_run (self);

      g_signal_handlers_block_matched (self->trajectory_scale, G_SIGNAL_MATCH_DATA, 0, 0, NULL, NULL, self);
      gtk_range_set_range (self->trajectory_scale, 0, run ? MAX (run->n_snapshots - 1, 0) : c->checkpoint);
      gtk_range_set_value (self->trajectory_scale, c->checkpoint);
      g_signal_handlers_unblock_matched (self->trajectory_scale, G_SIGNAL_MATCH_DATA, 0, 0, NULL, NULL, self);
    }
  show_plane (self);
  update_trajectory_row (self);
  {
    g_autofree char *title = figure_title (self, NULL, 0);

    /* The time of the partition: how live the page can be for this net. */
    if (w->seconds < 1)
      message = g_strdup_printf (_("%s, in %.0f ms"), title, MAX (w->seconds * 1e3, 1));
    else
      message = g_strdup_printf (_("%s, in %.1f s"), title, w->seconds);
  }
  relief_page_set_status (RELIEF_PAGE (self), message);
  relief_page_set_progress (RELIEF_PAGE (self), 1.0);
  gtk_widget_queue_draw (GTK_WIDGET (self->regions_area));
  update_readout (self);
  /* The scrubber moved on meanwhile: that checkpoint's next. */
  if (c->checkpoint != scrubbed (self))
    start_compute (self, FALSE);
}

/* The job the sidebar asks for; FALSE (the field marked) when a spin button is bad. */
static gboolean
read_job (ReliefRegionsPage *self, ReliefRegionsJob *job, GError **error)
{
  GtkSpinButton *spins[] = { self->sample0_spin, self->sample1_spin, self->sample2_spin, self->u_min_spin,
                             self->u_max_spin, self->v_min_spin, self->v_max_spin, self->max_regions_spin, NULL };
  const ReliefRun *run = loaded_run (self);

  if (!relief_spins_check (spins, error))
    return FALSE;
  job->max_regions = (gsize) gtk_spin_button_get_value (self->max_regions_spin);
  if (run == NULL)
    return TRUE;   /* the first: the run's last checkpoint on its automatic plane */
  if (!gtk_switch_get_active (self->auto_bounds_switch))
    {
      job->has_x = job->has_y = TRUE;
      job->x[0] = gtk_spin_button_get_value (self->u_min_spin);
      job->x[1] = gtk_spin_button_get_value (self->u_max_spin);
      job->y[0] = gtk_spin_button_get_value (self->v_min_spin);
      job->y[1] = gtk_spin_button_get_value (self->v_max_spin);
    }
  /* None of the run's regions shown yet (its first job cancelled or refused): the
   * scrubber and the samples are not set to it yet, so its last checkpoint on the
   * automatic plane (within the bounds asked for), as the first job. */
  if (self->rf == NULL)
    return TRUE;
  g_free (job->checkpoint);
  job->checkpoint = g_strdup_printf ("%d", scrubbed (self));
  job->plane = run->spec->sizes[0] == 2 ? RELIEF_REGIONS_PLANE_INPUT : RELIEF_REGIONS_PLANE_SAMPLES;
  if (job->plane == RELIEF_REGIONS_PLANE_SAMPLES)
    {
      job->samples[0] = gtk_spin_button_get_value_as_int (self->sample0_spin);
      job->samples[1] = gtk_spin_button_get_value_as_int (self->sample1_spin);
      job->samples[2] = gtk_spin_button_get_value_as_int (self->sample2_spin);
    }
  return TRUE;
}

/* asked: Compute pressed (errors in a dialog); else a scrub or a run taken up.  A job
 * still running is dropped: the newest settings win. */
static void
start_compute (ReliefRegionsPage *self, gboolean asked)
{
  ReliefPage *page = RELIEF_PAGE (self);
  g_autoptr(GError) error = NULL;
  g_autofree char *message = NULL;
  RegionsWork *w;

  if (self->run_path == NULL)
    return;
  w = g_new0 (RegionsWork, 1);
  relief_work_shared_init (&w->shared);
  relief_regions_job_init_defaults (&w->job);
  if (!read_job (self, &w->job, &error))
    {
      regions_work_free (w);
      relief_page_set_status (page, error->message);
      return;
    }
  w->asked = asked;
  w->run_path = g_strdup (self->run_path);
  if (self->run)
    w->job.run = relief_loaded_run_ref (self->run);
  self->work = w;
  message = self->run ? g_strdup_printf (_("Computing the regions at checkpoint %d…"), scrubbed (self))
                      : g_strdup (_("Loading the run and computing its regions…"));
  relief_page_set_status (page, message);
  relief_page_set_progress (page, 0);
  relief_page_start_job (page, regions_work_run, w, regions_work_free, regions_tick, regions_done);
}

static void
relief_regions_page_run (ReliefPage *page)
{
  start_compute (RELIEF_REGIONS_PAGE (page), TRUE);
}

static void
on_scrubbed (ReliefRegionsPage *self)
{
  update_trajectory_row (self);
  if (self->run != NULL && self->message == NULL)
    start_compute (self, FALSE);
}

static void
on_bounds_switched (ReliefRegionsPage *self)
{
  gboolean manual = !gtk_switch_get_active (self->auto_bounds_switch);

  gtk_widget_set_sensitive (self->u_min_row, manual);
  gtk_widget_set_sensitive (self->u_max_row, manual);
  gtk_widget_set_sensitive (self->v_min_row, manual);
  gtk_widget_set_sensitive (self->v_max_row, manual);
}

/* ---- Drawing ---- */

static void
on_color_changed (ReliefRegionsPage *self)
{
  gtk_widget_queue_draw (GTK_WIDGET (self->regions_area));
}

static void
draw_placeholder (cairo_t *cr, int width, int height, const char *text)
{
  PangoLayout *layout = pango_cairo_create_layout (cr);
  PangoFontDescription *font = pango_font_description_from_string ("Sans");
  int tw, th;

  /* Wrapped: a message of why there are no regions is a sentence or two. */
  pango_font_description_set_absolute_size (font, RELIEF_PLOT_FONT_LABEL * RELIEF_PLOT_SCREEN_SCALE * PANGO_SCALE);
  pango_layout_set_font_description (layout, font);
  pango_layout_set_width (layout, MAX (width - 48, 40) * PANGO_SCALE);
  pango_layout_set_wrap (layout, PANGO_WRAP_WORD);
  pango_layout_set_alignment (layout, PANGO_ALIGN_CENTER);
  pango_layout_set_text (layout, text, -1);
  pango_layout_get_pixel_size (layout, &tw, &th);
  cairo_set_source_rgb (cr, 0.45, 0.45, 0.45);
  cairo_move_to (cr, 24, MAX (8, (height - th) / 2.0));
  pango_cairo_show_layout (cr, layout);
  pango_font_description_free (font);
  g_object_unref (layout);
}

static ReliefRegionsFigure
figure_of (ReliefRegionsPage *self)
{
  const ReliefRegionsFile *rf = self->rf;
  ReliefRegionsFigure fig = {
    .regions = shown (self)->regions,
    .umin = rf->plane->umin, .umax = rf->plane->umax, .vmin = rf->plane->vmin, .vmax = rf->plane->vmax,
    .input_plane = input_plane (rf),
    .color_by = relief_combo_enum (self->color_row),
  };

  fig.n_samples = plane_samples (self, &fig.samples, &fig.labels);
  return fig;
}

/* Whether title fits a figure width points wide, at the figures' title font. */
static gboolean
title_fits (cairo_t *cr, double width, const char *title)
{
  cairo_text_extents_t e;

  cairo_save (cr);
  cairo_select_font_face (cr, "Sans", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_BOLD);
  cairo_set_font_size (cr, RELIEF_PLOT_FONT_TITLE);
  cairo_text_extents (cr, title, &e);
  cairo_restore (cr);
  return e.x_advance <= width - 8;
}

/* The checkpoint and count; fewer words in a narrow plot. */
static char *
figure_title (ReliefRegionsPage *self, cairo_t *cr, double width)
{
  const ReliefRegionsCheckpoint *c = shown (self);
  char *title = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "Checkpoint %d (step %lld): %d linear region",
                                              "Checkpoint %d (step %lld): %d linear regions", c->regions->n_regions),
                                 c->checkpoint, (long long) c->step, c->regions->n_regions);

  if (cr == NULL || title_fits (cr, width, title))
    return title;
  g_free (title);
  return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%d region", "%d regions", c->regions->n_regions),
                          c->regions->n_regions);
}

/* The largest square the area has, centred: the plane undistorted. */
static void
regions_draw (GtkDrawingArea *area, cairo_t *cr, int width, int height, gpointer user_data)
{
  ReliefRegionsPage *self = user_data;
  g_autofree char *title = NULL;
  ReliefRegionsFigure fig;
  ReliefFigureOptions opt;
  ReliefPlotFrame frame = { 0 };
  double side = MIN (width, height), x0 = (width - side) / 2, w, h;

  if (shown (self) == NULL)
    {
      self->has_frame = FALSE;
      draw_placeholder (cr, width, height,
                        self->message ? self->message
                        : self->work ? _("Computing the linear regions…")
                        : self->run_path ? _("Compute shows the network’s linear regions at the checkpoint")
                                         : _("Train or open a run to see its linear regions"));
      return;
    }
  fig = figure_of (self);
  relief_figure_options_init (&opt);
  cairo_translate (cr, x0, 0);
  relief_plot_screen_begin (cr, side, side, &w, &h);
  opt.title = title = figure_title (self, cr, w);
  relief_figure_regions (cr, w, h, &fig, &opt, &frame);
  self->frame = frame;
  relief_plot_frame_scale (&self->frame, RELIEF_PLOT_SCREEN_SCALE);
  self->frame.px += x0;
  self->frame.cbx += x0;
  self->has_frame = frame.pw > 0;
}

/* ---- Hover ---- */

char *
relief_regions_page_readout (ReliefRegionsPage *self, double u, double v)
{
  const ReliefRegionsCheckpoint *c;
  const ReliefRegions *rg;
  GString *text;
  int r, best = 0;
  double best_logit = -INFINITY;

  g_return_val_if_fail (RELIEF_IS_REGIONS_PAGE (self), NULL);
  if ((c = shown (self)) == NULL || (r = relief_regions_find (c->regions, u, v)) < 0)
    return NULL;
  rg = c->regions;
  for (int k = 0; k < rg->n_outputs; k++)
    {
      const double *a = rg->affine + ((gsize) r * rg->n_outputs + k) * 3;
      double logit = a[0] * u + a[1] * v + a[2];

      if (logit > best_logit)
        best_logit = logit, best = k;
    }
  text = g_string_new (NULL);
  g_string_append_printf (text, _("region %d   %d of %d neurons active   class %d   logits"), r, rg->n_active[r],
                          rg->n_hidden, best);
  if (rg->n_outputs <= 3)
    {
      for (int k = 0; k < rg->n_outputs; k++)
        {
          const double *a = rg->affine + ((gsize) r * rg->n_outputs + k) * 3;

          g_string_append_printf (text, "%s%.3g", k ? ", " : " ", a[0] * u + a[1] * v + a[2]);
        }
      return g_string_free (text, FALSE);
    }
  /* More classes (MNIST's ten): the three largest, each with its class, a readout and
   * not a table. */
  {
    int top[3] = { -1, -1, -1 };
    double top_logit[3] = { -INFINITY, -INFINITY, -INFINITY };

    for (int k = 0; k < rg->n_outputs; k++)
      {
        const double *a = rg->affine + ((gsize) r * rg->n_outputs + k) * 3;
        double logit = a[0] * u + a[1] * v + a[2];

        for (int j = 0; j < 3; j++)
          if (top[j] < 0 || logit > top_logit[j])
            {
              for (int m = 2; m > j; m--)
                top[m] = top[m - 1], top_logit[m] = top_logit[m - 1];
              top[j] = k, top_logit[j] = logit;
              break;
            }
      }
    for (int j = 0; j < 3; j++)
      g_string_append_printf (text, "%s%d: %.3g", j ? ", " : " ", top[j], top_logit[j]);
    g_string_append (text, _(" (top 3)"));
  }
  return g_string_free (text, FALSE);
}

static void
update_readout (ReliefRegionsPage *self)
{
  g_autofree char *text = NULL;
  double u, v;

  if (self->hovering && self->has_frame && relief_plot_frame_to_data (&self->frame, self->hover_x, self->hover_y, &u, &v))
    text = relief_regions_page_readout (self, u, v);
  gtk_label_set_text (self->readout_label, text ? text : "");
}

static void
on_motion (GtkEventControllerMotion *motion, double x, double y, ReliefRegionsPage *self)
{
  self->hovering = TRUE;
  self->hover_x = x;
  self->hover_y = y;
  update_readout (self);
}

static void
on_leave (GtkEventControllerMotion *motion, ReliefRegionsPage *self)
{
  self->hovering = FALSE;
  gtk_label_set_text (self->readout_label, "");
}

/* ---- Runs and files ---- */

void
relief_regions_page_set_run (ReliefRegionsPage *self, const char *run_path)
{
  g_return_if_fail (RELIEF_IS_REGIONS_PAGE (self));

  relief_page_drop_job (RELIEF_PAGE (self));
  self->work = NULL;
  g_free (self->run_path);
  self->run_path = g_strdup (run_path);
  g_clear_pointer (&self->run, relief_loaded_run_unref);
  g_clear_pointer (&self->rf, relief_regions_file_free);
  set_message (self, NULL);
  relief_page_set_can_run (RELIEF_PAGE (self), run_path != NULL);
  g_signal_handlers_block_matched (self->trajectory_scale, G_SIGNAL_MATCH_DATA, 0, 0, NULL, NULL, self);
  gtk_range_set_range (self->trajectory_scale, 0, 0);
  g_signal_handlers_unblock_matched (self->trajectory_scale, G_SIGNAL_MATCH_DATA, 0, 0, NULL, NULL, self);
  update_trajectory_row (self);
  show_plane (self);
  start_compute (self, FALSE);
  gtk_widget_queue_draw (GTK_WIDGET (self->regions_area));
}

/* A run trained or opened on another page: its regions at once (a small net's are quick). */
static gboolean
relief_regions_page_show_run (ReliefPage *page, const char *run_path)
{
  relief_regions_page_set_run (RELIEF_REGIONS_PAGE (page), run_path);
  return TRUE;
}

/* Another page began a run (coming) or ended without one: meanwhile the regions shown are
 * the previous run's. */
static void
relief_regions_page_run_coming (ReliefPage *page, gboolean coming)
{
  ReliefRegionsPage *self = RELIEF_REGIONS_PAGE (page);

  if (coming && shown (self) != NULL)
    relief_page_set_status (page, _("The regions shown are the previous run’s until the new run is trained"));
  else if (!coming && shown (self) != NULL)
    {
      g_autofree char *status = figure_title (self, NULL, 0);

      relief_page_set_status (page, status);
    }
}

static gboolean
relief_regions_page_open (ReliefPage *page, const char *path, ReliefFileKind kind)
{
  ReliefRegionsPage *self = RELIEF_REGIONS_PAGE (page);
  g_autoptr(ReliefRegionsFile) rf = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *title = NULL, *message = NULL;
  int last;

  if (kind != RELIEF_FILE_KIND_REGIONS)
    return FALSE;
  if ((rf = relief_regions_file_load (path, &error)) == NULL)
    {
      relief_page_report_error (page, _("Cannot open the regions"), error->message);
      return TRUE;
    }
  if (rf->n_checkpoints == 0)
    {
      relief_page_report_error (page, _("Cannot open the regions"), _("The file holds no checkpoint’s regions"));
      return TRUE;
    }
  relief_page_drop_job (page);
  self->work = NULL;
  g_clear_pointer (&self->run, relief_loaded_run_unref);
  g_free (self->run_path);
  /* Its run, when still there, for Compute and the scrubber (loaded with the next job). */
  self->run_path = rf->run_file && g_file_test (rf->run_file, G_FILE_TEST_IS_REGULAR) ? g_strdup (rf->run_file) : NULL;
  relief_page_set_can_run (page, self->run_path != NULL);
  /* The file's last checkpoint shown; the others are in the file. */
  last = rf->n_checkpoints - 1;
  if (last > 0)
    {
      ReliefRegionsCheckpoint keep = rf->checkpoints[last];

      for (int i = 0; i < last; i++)
        relief_regions_free (rf->checkpoints[i].regions);
      rf->checkpoints[0] = keep;
      rf->n_checkpoints = 1;
    }
  g_clear_pointer (&self->rf, relief_regions_file_free);
  self->rf = g_steal_pointer (&rf);
  set_message (self, NULL);
  g_signal_handlers_block_matched (self->trajectory_scale, G_SIGNAL_MATCH_DATA, 0, 0, NULL, NULL, self);
  gtk_range_set_range (self->trajectory_scale, 0, shown (self)->checkpoint);
  gtk_range_set_value (self->trajectory_scale, shown (self)->checkpoint);
  g_signal_handlers_unblock_matched (self->trajectory_scale, G_SIGNAL_MATCH_DATA, 0, 0, NULL, NULL, self);
  update_trajectory_row (self);
  show_plane (self);
  gtk_widget_queue_draw (GTK_WIDGET (self->regions_area));
  relief_work_dir_add_recent (path, NULL);
  title = relief_work_dir_title (path);
  message = self->run_path ? g_strdup_printf (_("Opened %s"), title)
                           : g_strdup_printf (_("Opened %s; its run is not there, so Compute cannot compute it again"),
                                              title);
  relief_page_set_status (page, message);
  return TRUE;
}

/* ---- Export ---- */

#define FIGURE_SIDE 432.0

static void
draw_page_figure (cairo_t *cr, double width, double height, gpointer user_data)
{
  ReliefRegionsPage *self = user_data;
  ReliefRegionsFigure fig = figure_of (self);
  g_autofree char *title = figure_title (self, NULL, width);
  ReliefFigureOptions opt;

  cairo_set_source_rgb (cr, 1, 1, 1);
  cairo_paint (cr);
  relief_figure_options_init (&opt);
  opt.title = title;
  relief_figure_regions (cr, width, height, &fig, &opt, NULL);
}

void
relief_regions_page_export_figure (ReliefRegionsPage *self, GFile *file)
{
  g_return_if_fail (RELIEF_IS_REGIONS_PAGE (self));
  relief_page_write_figure (RELIEF_PAGE (self), file, FIGURE_SIDE, FIGURE_SIDE, draw_page_figure, self);
}

static void
export_figure_to (ReliefPage *page, GFile *file)
{
  relief_regions_page_export_figure (RELIEF_REGIONS_PAGE (page), file);
}

static void
relief_regions_page_export (ReliefPage *page)
{
  ReliefRegionsPage *self = RELIEF_REGIONS_PAGE (page);

  if (shown (self) == NULL)
    {
      relief_page_report_error (page, _("Nothing to export yet"),
                                self->message ? self->message : _("Train or open a run of a relu network first."));
      return;
    }
  relief_page_choose_figure (page, _("Export Linear Regions"), "regions.pdf", export_figure_to);
}

/* CSV numbers that read back exactly. */
static void
append_number (GString *s, double v)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];

  g_string_append (s, g_ascii_dtostr (buf, sizeof buf, v));
}

static gboolean
save_polygons_csv (const ReliefRegions *rg, const char *path, GError **error)
{
  g_autoptr(GString) text = g_string_new ("region,vertex,u,v,predicted,n_active,pattern\n");

  for (int r = 0; r < rg->n_regions; r++)
    {
      g_autoptr(GString) pattern = g_string_new (NULL);

      for (int b = 0; b < rg->pattern_bytes; b++)
        g_string_append_printf (pattern, "%02x", rg->patterns[(gsize) r * rg->pattern_bytes + b]);
      for (gint64 i = rg->polygon_offsets[r]; i < rg->polygon_offsets[r + 1]; i++)
        {
          gint64 v = rg->polygon_vertices[i];

          g_string_append_printf (text, "%d,%" G_GINT64_FORMAT ",", r, i - rg->polygon_offsets[r]);
          append_number (text, rg->vertices[2 * v]);
          g_string_append_c (text, ',');
          append_number (text, rg->vertices[2 * v + 1]);
          g_string_append_printf (text, ",%d,%d,%s\n", rg->predicted[r], rg->n_active[r], pattern->str);
        }
    }
  return relief_output_save (path, text->str, text->len, error);
}

gboolean
relief_regions_page_export_data (ReliefRegionsPage *self, const char *path, GError **error)
{
  gboolean csv = g_str_has_suffix (path, ".csv");
  gboolean h5 = g_str_has_suffix (path, ".h5") || g_str_has_suffix (path, ".hdf5");

  g_return_val_if_fail (RELIEF_IS_REGIONS_PAGE (self), FALSE);
  if (!csv && !h5)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                           _("Choose a file name ending in .h5 (a regions file) or .csv (the polygons)"));
      return FALSE;
    }
  if (shown (self) == NULL)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, _("No regions yet: compute them first"));
      return FALSE;
    }
  if (csv)
    return save_polygons_csv (shown (self)->regions, path, error);
  if (!relief_regions_file_save (self->rf, path, error))
    return FALSE;
  relief_work_dir_add_recent (path, NULL);
  return TRUE;
}

static void
export_data_to (ReliefPage *page, GFile *file)
{
  ReliefRegionsPage *self = RELIEF_REGIONS_PAGE (page);
  g_autofree char *path = g_file_get_path (file);
  g_autofree char *basename = g_file_get_basename (file);
  g_autoptr(GError) error = NULL;

  if (path == NULL)
    g_set_error_literal (&error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED, _("Choose a local file"));
  if (error != NULL || !relief_regions_page_export_data (self, path, &error))
    relief_page_report_error (page, _("Cannot export"), error->message);
  else
    {
      g_autofree char *message = g_strdup_printf (_("Exported %s"), basename);

      relief_page_toast (page, message);
    }
}

static void
action_export_data (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  ReliefRegionsPage *self = RELIEF_REGIONS_PAGE (widget);
  static const char *const names[] = { N_("Regions file"), N_("CSV of polygons") };
  static const char *const patterns[] = { "*.h5", "*.csv" };

  if (shown (self) == NULL)
    relief_page_report_error (RELIEF_PAGE (self), _("Nothing to export yet"), _("Compute the regions first."));
  else
    relief_page_choose_save (RELIEF_PAGE (self), _("Export Regions"), "regions.h5", names, patterns,
                             G_N_ELEMENTS (names), export_data_to);
}

/* ---- Accessors ---- */

const ReliefRegions *
relief_regions_page_get_regions (ReliefRegionsPage *self, int *checkpoint, gint64 *step)
{
  const ReliefRegionsCheckpoint *c;

  g_return_val_if_fail (RELIEF_IS_REGIONS_PAGE (self), NULL);
  if ((c = shown (self)) == NULL)
    return NULL;
  if (checkpoint)
    *checkpoint = c->checkpoint;
  if (step)
    *step = c->step;
  return c->regions;
}

const ReliefRegionsFile *
relief_regions_page_get_file (ReliefRegionsPage *self)
{
  g_return_val_if_fail (RELIEF_IS_REGIONS_PAGE (self), NULL);
  return self->rf;
}

const char *
relief_regions_page_get_message (ReliefRegionsPage *self)
{
  g_return_val_if_fail (RELIEF_IS_REGIONS_PAGE (self), NULL);
  return self->message;
}

gboolean
relief_regions_page_get_frame (ReliefRegionsPage *self, ReliefPlotFrame *frame)
{
  g_return_val_if_fail (RELIEF_IS_REGIONS_PAGE (self), FALSE);
  if (!self->has_frame)
    return FALSE;
  *frame = self->frame;
  return TRUE;
}

/* ---- The type ---- */

static void
relief_regions_page_finalize (GObject *object)
{
  ReliefRegionsPage *self = RELIEF_REGIONS_PAGE (object);

  g_free (self->run_path);
  g_clear_pointer (&self->run, relief_loaded_run_unref);
  g_clear_pointer (&self->rf, relief_regions_file_free);
  g_free (self->message);
  G_OBJECT_CLASS (relief_regions_page_parent_class)->finalize (object);
}

#define CHILD(field) RELIEF_TEMPLATE_CHILD (ReliefRegionsPage, field)
static const ReliefTemplateChild children[] = {
  CHILD (paned), CHILD (trajectory_row), CHILD (trajectory_scale), CHILD (plane_row), CHILD (sample0_row),
  CHILD (sample1_row), CHILD (sample2_row), CHILD (sample0_spin), CHILD (sample1_spin), CHILD (sample2_spin),
  CHILD (sample0_picture), CHILD (sample1_picture), CHILD (sample2_picture), CHILD (auto_bounds_switch),
  CHILD (u_min_row), CHILD (u_max_row), CHILD (v_min_row), CHILD (v_max_row), CHILD (u_min_spin), CHILD (u_max_spin), CHILD (v_min_spin), CHILD (v_max_spin),
  CHILD (color_row), CHILD (max_regions_spin), CHILD (status_label), CHILD (readout_label), CHILD (progress_bar),
  CHILD (regions_area)
};
#undef CHILD

static void
relief_regions_page_class_init (ReliefRegionsPageClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  ReliefPageClass *page_class = RELIEF_PAGE_CLASS (klass);

  G_OBJECT_CLASS (klass)->finalize = relief_regions_page_finalize;
  page_class->run = relief_regions_page_run;
  page_class->export = relief_regions_page_export;
  page_class->show_run = relief_regions_page_show_run;
  page_class->open = relief_regions_page_open;
  page_class->run_coming = relief_regions_page_run_coming;
  gtk_widget_class_install_action (widget_class, "page.export-data", NULL, action_export_data);

  g_type_ensure (RELIEF_TYPE_REGIONS_COLOR);
  relief_page_class_set_template (page_class, "/org/relief/Relief/ui/relief-regions-page.ui",
                                  children, G_N_ELEMENTS (children));
}

static void
relief_regions_page_init (ReliefRegionsPage *self)
{
  GtkSpinButton *spins[3];
  GtkEventController *motion;

  gtk_widget_init_template (GTK_WIDGET (self));
  spins[0] = self->sample0_spin;
  spins[1] = self->sample1_spin;
  spins[2] = self->sample2_spin;
  relief_page_set_status_widgets (RELIEF_PAGE (self), self->status_label, self->progress_bar);
  relief_page_set_can_run (RELIEF_PAGE (self), FALSE);
  gtk_drawing_area_set_draw_func (self->regions_area, regions_draw, self, NULL);
  motion = gtk_event_controller_motion_new ();
  g_signal_connect (motion, "motion", G_CALLBACK (on_motion), self);
  g_signal_connect (motion, "leave", G_CALLBACK (on_leave), self);
  gtk_widget_add_controller (GTK_WIDGET (self->regions_area), motion);
  for (guint i = 0; i < G_N_ELEMENTS (spins); i++)
    {
      relief_spin_watch (spins[i]);
      g_signal_connect_swapped (spins[i], "value-changed", G_CALLBACK (update_thumbnails), self);
    }
  relief_spin_watch (self->u_min_spin);
  relief_spin_watch (self->u_max_spin);
  relief_spin_watch (self->v_min_spin);
  relief_spin_watch (self->v_max_spin);
  relief_spin_watch (self->max_regions_spin);
  g_signal_connect_swapped (self->trajectory_scale, "value-changed", G_CALLBACK (on_scrubbed), self);
  g_signal_connect_swapped (self->auto_bounds_switch, "notify::active", G_CALLBACK (on_bounds_switched), self);
  on_bounds_switched (self);
  g_signal_connect_swapped (self->color_row, "notify::selected", G_CALLBACK (on_color_changed), self);
  show_plane (self);
}
