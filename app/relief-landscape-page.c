#include "relief-config.h"

#include <adwaita.h>
#include <glib/gi18n-lib.h>
#include <math.h>
#include <string.h>

#include "relief-controls.h"
#include "relief-decision-job.h"
#include "relief-figures.h"
#include "relief-landscape-page.h"
#include "relief-plot-view.h"
#include "relief-plot.h"
#include "relief-surface-job.h"
#include "relief-surface-view.h"
#include "relief-worker.h"
#include "relief-work-dir.h"
#include "relief-enums.h"

/* The map after the run changed: its surface the run's own, an earlier run's (set_run
 * without a Compute yet), or the previous run's while another page trains the next. */
typedef enum {
  FRESH,
  EARLIER_RUN,
  RUN_TRAINING,
} Staleness;

struct _ReliefLandscapePage {
  ReliefPage parent_instance;

  /* template widgets */
  GtkWidget      *paned;          /* the root child, unparented in dispose */
  AdwComboRow    *directions_row;
  AdwActionRow   *range_row;
  GtkSpinButton  *range_spin;
  GtkSpinButton  *resolution_spin;
  GtkSpinButton  *seed_spin;
  GtkSpinButton  *samples_spin;
  AdwComboRow    *backend_row;
  AdwComboRow    *plot_row;
  GtkWidget      *trajectory_row;
  GtkRange       *trajectory_scale;
  AdwComboRow    *colormap_row;
  GtkSpinButton  *levels_spin;
  GtkSwitch      *log_switch;
  GtkLabel       *status_label;
  GtkLabel       *readout_label;
  GtkProgressBar *progress_bar;
  GtkStack       *plot_stack;
  GtkBox         *plot_box;       /* the map (or 3D view) and the decision panel */
  ReliefPlotView *surface_view;
  ReliefSurfaceView *surface3d_view;
  GtkWidget      *decision_panel;
  GtkDrawingArea *decision_area;

  /* owned */
  char             *run_path;
  ReliefLoadedRun  *run;           /* run_path loaded, once the first job has read it */
  struct SurfaceWork *work;        /* the running job's data, valid while the page runs */
  ReliefSurface    *surface;       /* what the map shows: grows cell by cell, then the job's
                                      whole result with its directions */
  int               n_done;
  gboolean          hovering;       /* the pointer over the map, at hover_x, hover_y */
  double            hover_x, hover_y;
  ReliefWorker     *run_job;        /* an opened surface's run, while it loads */
  struct RunLoad   *run_load;
  ReliefWorker     *decision_job;
  struct DecisionWork *decision_work; /* the running decision job's data */
  struct DecisionWork *decision;      /* what decision_area shows */
  gboolean          zoomed;          /* the map shows window (zoomed or panned), not the range */
  double            window[4];       /* xmin, xmax, ymin, ymax */
  Staleness         stale;           /* whether the surface shown is an earlier run's */
};

G_DEFINE_FINAL_TYPE (ReliefLandscapePage, relief_landscape_page, RELIEF_TYPE_PAGE)

/* Written by the worker thread, read by the page's tick. */
typedef struct SurfaceWork {
  ReliefWorkShared shared;         /* its fraction unused: the progress is the cells done */
  char            *run_path;       /* loaded in the worker thread when job.run is NULL */
  gboolean         save;           /* into the slice's file in the surfaces folder */
  gboolean         resume;         /* from that file, when an earlier job left one */
  ReliefSurfaceJob job;
  ReliefSurface   *result;         /* once the job is done */
  /* shared.lock guards job.run's setting and what follows */
  int              nx, ny;
  double          *loss, *acc;     /* [ny, nx] once the grid is known */
  int              done;
  gboolean         dirty;
  int              n_proj;          /* PCA: the trajectory on the plane */
  double          *proj_x, *proj_y;
  double          *xs, *ys;        /* the grid the job chose (a PCA plane fits its path) */
  char            *direction_kind;
  double           explained[2];
  double           eigenvalue[2];  /* Hessian directions: x's and y's */
} SurfaceWork;

static void
surface_work_free (gpointer data)
{
  SurfaceWork *w = data;

  g_free (w->run_path);
  relief_surface_job_clear (&w->job);
  g_clear_pointer (&w->result, relief_surface_free);
  g_free (w->loss);
  g_free (w->acc);
  g_free (w->proj_x);
  g_free (w->proj_y);
  g_free (w->xs);
  g_free (w->ys);
  g_free (w->direction_kind);
  relief_work_shared_clear (&w->shared);
  g_free (w);
}

static void
work_surface_ready (const ReliefSurface *s, gpointer user_data)
{
  SurfaceWork *w = user_data;
  gsize n = (gsize) s->nx * s->ny;

  g_mutex_lock (&w->shared.lock);
  w->nx = s->nx;
  w->ny = s->ny;
  g_free (w->loss);
  g_free (w->acc);
  w->done = 0;
  /* A saved slice computed before comes with its cells: they show at once. */
  w->loss = g_memdup2 (s->train_loss, n * sizeof (double));
  w->acc = g_memdup2 (s->train_acc, n * sizeof (double));
  for (gsize i = 0; i < n; i++)
    w->done += !isnan (w->loss[i]);
  if (s->n_proj > 0 && s->proj_xcoord && s->proj_ycoord)
    {
      w->n_proj = s->n_proj;
      w->proj_x = g_memdup2 (s->proj_xcoord, s->n_proj * sizeof (double));
      w->proj_y = g_memdup2 (s->proj_ycoord, s->n_proj * sizeof (double));
    }
  w->xs = g_memdup2 (s->xcoords, s->nx * sizeof (double));
  w->ys = s->ycoords ? g_memdup2 (s->ycoords, s->ny * sizeof (double)) : NULL;
  w->direction_kind = g_strdup (s->direction_kind);
  w->explained[0] = s->explained_variance_ratio[0];
  w->explained[1] = s->explained_variance_ratio[1];
  w->eigenvalue[0] = s->x_eigenvalue;
  w->eigenvalue[1] = s->y_eigenvalue;
  w->dirty = TRUE;
  g_mutex_unlock (&w->shared.lock);
}

static void
work_cell (int ix, int iy, double loss, double acc, gpointer user_data)
{
  SurfaceWork *w = user_data;

  g_mutex_lock (&w->shared.lock);
  w->loss[(gsize) iy * w->nx + ix] = loss;
  w->acc[(gsize) iy * w->nx + ix] = acc;
  w->done++;
  w->dirty = TRUE;
  g_mutex_unlock (&w->shared.lock);
}

/* One file per run and slice: computing the same slice again replaces it. */
static char *
slice_path (const ReliefSurfaceJob *job, GError **error)
{
  const ReliefRun *run = relief_loaded_run_get_run (job->run);
  gint64 last = run->n_snapshots - 1;
  gboolean line = job->directions == RELIEF_DIRECTIONS_LINE;
  gboolean random = job->directions == RELIEF_DIRECTIONS_RANDOM;
  ReliefSliceSettings settings = {
    .directions = relief_enum_to_nick (RELIEF_TYPE_DIRECTION_KIND, job->directions),
    .seed = job->seed,
    .normalization = random ? relief_enum_to_nick (RELIEF_TYPE_NORMALIZATION, job->normalization) : NULL,
    .bias = random ? relief_enum_to_nick (RELIEF_TYPE_BIAS_MODE, job->bias) : NULL,
    .to_checkpoint = line ? last : -1,
    .x_min = job->x.min, .x_max = job->x.max, .nx = job->x.count,
    .y_min = job->y.min, .y_max = job->y.max, .ny = job->one_d ? 1 : job->y.count,
    .max_samples = job->max_samples,
  };
  gint64 checkpoint = g_strcmp0 (job->checkpoint, "last") == 0 ? last : g_ascii_strtoll (job->checkpoint, NULL, 10);

  return relief_work_dir_slice_path (relief_loaded_run_get_path (job->run), checkpoint, &settings, error);
}

static gboolean
surface_work_run (gpointer data, GCancellable *cancellable, GError **error)
{
  SurfaceWork *w = data;
  g_autoptr(GError) local_error = NULL;
  ReliefSurfaceJobCallbacks cb = {
    .surface_ready = work_surface_ready,
    .cell = work_cell,
    .user_data = w,
  };

  if (!relief_work_shared_load_run (&w->shared, &w->job.run, w->run_path, error))
    return FALSE;
  if (w->save && (w->job.output = slice_path (&w->job, error)) == NULL)
    return FALSE;
  /* The slice's file, when an earlier job left one, is continued (or, complete, only
   * shown); one that is not this slice after all (its run was replaced) is computed anew. */
  w->job.resume = w->save && w->resume;
  if (relief_surface_job_run (&w->job, &cb, cancellable, &w->result, &local_error))
    return TRUE;
  if (!w->job.resume || !g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_EXISTS))
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  w->job.resume = FALSE;
  return relief_surface_job_run (&w->job, &cb, cancellable, &w->result, error);
}

static void
report_error (ReliefLandscapePage *self, const char *heading, const char *message)
{
  relief_page_report_error (RELIEF_PAGE (self), heading, message);
}

/* The map shows a surface as filled contours or in 3D. */
static gboolean
is_view_kind (int kind)
{
  return kind == RELIEF_FIGURE_CONTOUR || kind == RELIEF_FIGURE_3D;
}

/* The figure options the page's settings choose, for the views and the export alike. */
static void
figure_options (ReliefLandscapePage *self, ReliefFigureOptions *opt)
{
  relief_figure_options_init (opt);
  opt->colormap = relief_combo_enum (self->colormap_row);
  opt->n_levels = gtk_spin_button_get_value_as_int (self->levels_spin);
  opt->log_scale = gtk_switch_get_active (self->log_switch);
  relief_figure_options_set_trajectory (opt, self->surface, (int) gtk_range_get_value (self->trajectory_scale));
  relief_figure_options_set_plane (opt, self->surface);
}

/* The smallest power-of-two step whose lattice (every step-th point of both axes) is all
 * computed; 0 when not even the coarsest is. */
static int
complete_step (const ReliefSurface *s)
{
  for (int step = 1; step <= MAX (s->nx, s->ny); step *= 2)
    {
      gboolean complete = TRUE;

      for (int iy = 0; iy < s->ny && complete; iy += step)
        for (int ix = 0; ix < s->nx && complete; ix += step)
          complete = !isnan (s->train_loss[(gsize) iy * s->nx + ix]);
      if (complete)
        return step;
    }
  return 0;
}

/* values with its cells not computed yet interpolated (bilinear) from the lattice of
 * every step-th point, which is complete: the coarse picture while the finer cells come. */
static void
fill_from_lattice (const double *values, int nx, int ny, int step, double *filled)
{
  int last_x = (nx - 1) / step * step, last_y = (ny - 1) / step * step;

  for (int iy = 0; iy < ny; iy++)
    for (int ix = 0; ix < nx; ix++)
      {
        gsize cell = (gsize) iy * nx + ix;
        int x0 = MIN (ix / step * step, last_x), y0 = MIN (iy / step * step, last_y);
        int x1 = MIN (x0 + step, last_x), y1 = MIN (y0 + step, last_y);
        double tx = x1 > x0 ? (double) (ix - x0) / (x1 - x0) : 0;
        double ty = y1 > y0 ? (double) (iy - y0) / (y1 - y0) : 0;

        if (!isnan (values[cell]))
          {
            filled[cell] = values[cell];
            continue;
          }
        tx = CLAMP (tx, 0, 1);
        ty = CLAMP (ty, 0, 1);
        filled[cell] = (1 - ty) * ((1 - tx) * values[(gsize) y0 * nx + x0] + tx * values[(gsize) y0 * nx + x1]) +
                       ty * ((1 - tx) * values[(gsize) y1 * nx + x0] + tx * values[(gsize) y1 * nx + x1]);
      }
}

/* 3D needs a plane: a line (a 1D slice) is drawn as a curve whatever the plot kind. */
#define NO_3D_NOTE N_("3D needs a 2D surface: the line is drawn as a curve")

static gboolean
asks_3d (ReliefLandscapePage *self)
{
  return relief_combo_enum (self->plot_row) == RELIEF_FIGURE_3D;
}

static gboolean
is_line (ReliefLandscapePage *self)
{
  return self->surface ? self->surface->ny == 1 : relief_combo_enum (self->directions_row) == RELIEF_DIRECTIONS_LINE;
}

static void
update_plot_stack (ReliefLandscapePage *self)
{
  gtk_stack_set_visible_child_name (self->plot_stack, asks_3d (self) && !is_line (self) ? "3d" : "map");
  /* A line neither zooms nor pans: its tooltip would say it does. */
  gtk_widget_set_has_tooltip (GTK_WIDGET (self->surface_view), !is_line (self));
}

/* The Range row says what the map's window is when it is not ±range: a zoom, a PCA plane
 * fitted to its trajectory, a line; Compute computes that window. */
static void
update_range_row (ReliefLandscapePage *self)
{
  const ReliefSurface *s = self->surface;
  ReliefDirectionKind kind = relief_combo_enum (self->directions_row);
  double range = gtk_spin_button_get_value (self->range_spin);
  g_autofree char *text = NULL;
  g_autofree char *tip = NULL;

  gtk_widget_set_sensitive (GTK_WIDGET (self->range_spin), kind == RELIEF_DIRECTIONS_RANDOM ||
                            kind == RELIEF_DIRECTIONS_HESSIAN || kind == RELIEF_DIRECTIONS_HESSIAN_MIN);
  /* Short enough for two lines of the sidebar; what to do with it in the tooltip. */
  if (kind == RELIEF_DIRECTIONS_LINE)
    {
      text = g_strdup (_("A line: alpha −0.5 … 1.5"));
      tip = g_strdup (_("The initialization at alpha 0, the final model at 1"));
    }
  else if (self->zoomed)
    {
      text = g_strdup_printf (_("Zoomed to x %.3g … %.3g, y %.3g … %.3g"), self->window[0], self->window[1],
                              self->window[2], self->window[3]);
      tip = g_strdup_printf (_("Compute computes and saves this window; double-click the map for ±%.3g"), range);
    }
  else if (kind == RELIEF_DIRECTIONS_PCA && s && s->ny > 1 && g_strcmp0 (s->direction_kind, "pca") == 0)
    {
      text = g_strdup_printf (_("Fitted to the path: x %.3g … %.3g, y %.3g … %.3g"), s->xcoords[0],
                              s->xcoords[s->nx - 1], s->ycoords[0], s->ycoords[s->ny - 1]);
      tip = g_strdup (_("A PCA plane spans its trajectory, with a margin"));
    }
  else if (kind == RELIEF_DIRECTIONS_PCA)
    text = g_strdup (_("A PCA plane spans its trajectory"));
  else
    text = g_strdup (_("Half-width in each direction"));
  adw_action_row_set_subtitle (self->range_row, text);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->range_row), tip);
}

static void
update_view (ReliefLandscapePage *self)
{
  ReliefSurface *s = self->surface;
  ReliefSurface shown;
  g_autofree double *loss = NULL, *acc = NULL;
  int step;
  ReliefFigureOptions opt;
  ReliefHeatmapSpec spec;
  ReliefSurface3DSpec spec3d;

  if (s == NULL)
    return;
  /* Until every cell is in, the views show the finest complete lattice interpolated. */
  step = self->n_done < s->nx * s->ny ? complete_step (s) : 1;
  if (step > 1)
    {
      gsize n = (gsize) s->nx * s->ny;

      shown = *s;
      shown.train_loss = loss = g_new (double, n);
      shown.train_acc = acc = g_new (double, n);
      fill_from_lattice (s->train_loss, s->nx, s->ny, step, loss);
      fill_from_lattice (s->train_acc, s->nx, s->ny, step, acc);
      s = &shown;
    }
  figure_options (self, &opt);
  /* On screen only, not in an export: the map is an earlier run's. */
  opt.title = self->stale == EARLIER_RUN ? _("The previous run's landscape: Compute shows this run's")
              : self->stale == RUN_TRAINING ? _("The previous run's landscape: a new run is training")
              : NULL;
  update_plot_stack (self);
  if (s->ny == 1)
    {
      ReliefLineSeries series[1];
      ReliefLinePlotSpec lines;

      if (opt.title == NULL && asks_3d (self))
        opt.title = _(NO_3D_NOTE);
      relief_figure_interpolation_spec (s, &opt, series, &lines);
      relief_plot_view_set_lines (self->surface_view, &lines);
      relief_surface_view_clear (self->surface3d_view);
      return;
    }
  opt.has_marker = TRUE;   /* the checkpoint itself sits at the origin */
  relief_figure_surface_map_spec (s, &opt, &spec);
  relief_plot_view_set_heatmap (self->surface_view, &spec);
  relief_figure_surface_3d_spec (s, &opt, &spec3d);
  relief_surface_view_set_data (self->surface3d_view, &spec3d);
}

static void update_readout (ReliefLandscapePage *self);

static void
surface_tick (gpointer owner)
{
  ReliefLandscapePage *self = owner;
  SurfaceWork *w = self->work;
  int total;
  gboolean grid_came = FALSE;

  /* The page keeps the run the first job loaded, for every later zoom, pan and click. */
  relief_work_shared_keep_run (&w->shared, &w->job.run, w->run_path, &self->run, self->run_path);
  g_mutex_lock (&w->shared.lock);
  if (w->dirty && self->surface && w->nx == self->surface->nx && w->ny == self->surface->ny)
    {
      gsize n = (gsize) w->nx * w->ny;
      memcpy (self->surface->train_loss, w->loss, n * sizeof (double));
      memcpy (self->surface->train_acc, w->acc, n * sizeof (double));
      if (w->n_proj > 0 && self->surface->n_proj == 0)
        {
          self->surface->n_proj = w->n_proj;
          self->surface->proj_xcoord = g_memdup2 (w->proj_x, w->n_proj * sizeof (double));
          self->surface->proj_ycoord = g_memdup2 (w->proj_y, w->n_proj * sizeof (double));
          gtk_range_set_range (self->trajectory_scale, 0, w->n_proj - 1);
          gtk_range_set_value (self->trajectory_scale, w->n_proj - 1);
          gtk_widget_set_sensitive (self->trajectory_row, TRUE);
        }
      /* The grid the job chose (a PCA plane fitted to its path) and what the plane is. */
      if (w->xs)
        {
          memcpy (self->surface->xcoords, w->xs, w->nx * sizeof (double));
          if (w->ys && self->surface->ycoords)
            memcpy (self->surface->ycoords, w->ys, w->ny * sizeof (double));
          g_clear_pointer (&w->xs, g_free);
          g_clear_pointer (&w->ys, g_free);
          g_free (self->surface->direction_kind);
          self->surface->direction_kind = g_steal_pointer (&w->direction_kind);
          self->surface->explained_variance_ratio[0] = w->explained[0];
          self->surface->explained_variance_ratio[1] = w->explained[1];
          self->surface->x_eigenvalue = w->eigenvalue[0];
          self->surface->y_eigenvalue = w->eigenvalue[1];
          grid_came = TRUE;
        }
      self->n_done = w->done;
      w->dirty = FALSE;
      total = w->nx * w->ny;
      g_mutex_unlock (&w->shared.lock);
      relief_page_set_progress (RELIEF_PAGE (self), (double) self->n_done / total);
      if (grid_came)
        update_range_row (self);
      update_view (self);
      /* The cell under a still pointer may just have come. */
      update_readout (self);
      return;
    }
  g_mutex_unlock (&w->shared.lock);
}

/* The model at one point of the landscape, over its 2D input plane. */
typedef struct DecisionWork {
  ReliefDecisionJob  job;            /* the page's loaded run and the surface's directions */
  double             x, y;           /* the point of the landscape */
  ReliefDecisionMap *map;            /* once computed */
} DecisionWork;

static void
decision_work_free (gpointer data)
{
  DecisionWork *w = data;

  if (w == NULL)
    return;
  relief_decision_job_clear (&w->job);
  relief_decision_map_free (w->map);
  g_free (w);
}

static gboolean
decision_work_run (gpointer data, GCancellable *cancellable, GError **error)
{
  DecisionWork *w = data;

  return relief_decision_job_run (&w->job, NULL, cancellable, &w->map, error);
}

static void
decision_draw (GtkDrawingArea *area, cairo_t *cr, int width, int height, gpointer user_data)
{
  ReliefLandscapePage *self = user_data;
  DecisionWork *d = self->decision;
  ReliefFigureOptions options;
  g_autofree char *title = NULL;
  double w, h;

  if (d == NULL)
    return;
  title = g_strdup_printf (_("Decisions at (%.2f, %.2f)"), d->x, d->y);
  relief_figure_options_init (&options);
  options.title = title;
  /* At the text scale of the other views, in the largest square centred in the panel: the
   * input plane undistorted, as on the Train page, also in a wide panel under the map. */
  cairo_translate (cr, floor ((width - MIN (width, height)) / 2.0), 0);
  relief_plot_screen_begin (cr, MIN (width, height), MIN (width, height), &w, &h);
  relief_figure_decision (cr, w, h, d->map, &options);
}

/* The panel beside the map where the map stays wide enough for its ticks, else under it:
 * the map keeps a readable aspect down to a 1024x768 window. */
#define DECISION_PANEL_SIZE 260
#define MAP_MIN_WIDTH 520

static void
place_decision_panel (ReliefLandscapePage *self)
{
  int width = gtk_widget_get_width (GTK_WIDGET (self->plot_box));
  gboolean beside = width - DECISION_PANEL_SIZE >= MAP_MIN_WIDTH;

  gtk_orientable_set_orientation (GTK_ORIENTABLE (self->plot_box),
                                  beside ? GTK_ORIENTATION_HORIZONTAL : GTK_ORIENTATION_VERTICAL);
  gtk_widget_set_size_request (GTK_WIDGET (self->decision_area), beside ? MAX (DECISION_PANEL_SIZE, width / 3) : -1,
                               beside ? -1 : DECISION_PANEL_SIZE);
}

static void
decision_done (gpointer owner, const GError *error)
{
  ReliefLandscapePage *self = owner;
  DecisionWork *w = self->decision_work;

  self->decision_job = NULL;
  self->decision_work = NULL;
  if (error)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        relief_page_set_status (RELIEF_PAGE (self), error->message);
      return;
    }
  /* The job frees its data when this returns: the page keeps a copy of what it shows. */
  decision_work_free (self->decision);
  self->decision = g_memdup2 (w, sizeof *w);
  memset (w, 0, sizeof *w);
  place_decision_panel (self);
  gtk_widget_set_visible (self->decision_panel, TRUE);
  gtk_widget_queue_draw (GTK_WIDGET (self->decision_area));
}

static void
on_clicked (ReliefPlotView *view, double x, double y, ReliefLandscapePage *self)
{
  relief_landscape_page_show_decision (self, x, y);
}

gboolean
relief_landscape_page_has_decision (ReliefLandscapePage *self, gboolean *running)
{
  if (running)
    *running = self->decision_job != NULL;
  return self->decision != NULL;
}

gboolean
relief_landscape_page_close_decision (ReliefLandscapePage *self)
{
  gboolean open = self->decision != NULL || self->decision_job != NULL;

  g_clear_pointer (&self->decision_job, relief_worker_drop);
  self->decision_work = NULL;
  g_clear_pointer (&self->decision, decision_work_free);
  gtk_widget_set_visible (self->decision_panel, FALSE);
  return open;
}

static gboolean
relief_landscape_page_dismiss (ReliefPage *page)
{
  return relief_landscape_page_close_decision (RELIEF_LANDSCAPE_PAGE (page));
}

static void
action_close_decision (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  relief_landscape_page_close_decision (RELIEF_LANDSCAPE_PAGE (widget));
}

void
relief_landscape_page_show_decision (ReliefLandscapePage *self, double x, double y)
{
  g_autoptr(GError) error = NULL;
  DecisionWork *w;

  /* The surface's directions arrive with its last cell. */
  if (self->run == NULL && self->run_job != NULL)
    {
      relief_page_set_status (RELIEF_PAGE (self), _("The run is still loading: click again in a moment"));
      return;
    }
  if (self->run == NULL || self->surface == NULL || self->surface->xdir == NULL)
    return;
  if (self->decision_job)
    relief_worker_drop (self->decision_job);
  self->decision_job = NULL;
  w = g_new0 (DecisionWork, 1);
  relief_decision_job_init_defaults (&w->job);
  w->job.run = relief_loaded_run_ref (self->run);
  w->job.backend = relief_combo_enum (self->backend_row);
  w->x = x;
  w->y = y;
  if (!relief_decision_job_set_surface (&w->job, self->surface, x, y, &error))
    {
      decision_work_free (w);
      relief_page_set_status (RELIEF_PAGE (self), error->message);
      return;
    }
  self->decision_work = w;
  self->decision_job = relief_worker_start (decision_work_run, w, decision_work_free, NULL, decision_done, self);
}

/* The surfaces the window writes by itself are kept to the newest few: each is a click
 * away from being computed again. */
#define KEPT_SURFACES 50

static void
prune_surfaces (ReliefLandscapePage *self)
{
  g_autoptr(GError) error = NULL;

  if (!relief_work_dir_prune (RELIEF_FILE_KIND_SURFACE, KEPT_SURFACES, -1, NULL, &error))
    relief_page_toast (RELIEF_PAGE (self), error->message);
}

static void
surface_done (gpointer owner, const GError *error)
{
  ReliefLandscapePage *self = owner;
  SurfaceWork *w = self->work;
  g_autofree char *output = g_strdup (w->job.output);
  g_autofree char *basename = output ? g_path_get_basename (output) : NULL;
  g_autofree char *message = NULL;

  /* The cells that came after the last tick, shown before anything else is said. */
  surface_tick (self);
  self->work = NULL;
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      int total = self->surface ? self->surface->nx * self->surface->ny : 0;

      message = g_strdup_printf (_("Cancelled: the map shows the %d of %d cells computed; Compute starts it again"),
                                 self->n_done, total);
      relief_page_report_cancelled (RELIEF_PAGE (self), message);
      return;
    }
  if (error)
    {
      report_error (self, _("The landscape could not be computed"), error->message);
      return;
    }
  /* The whole result replaces the copy the ticks filled: it carries the directions. */
  if (w->result)
    {
      relief_surface_free (self->surface);
      self->surface = g_steal_pointer (&w->result);
      update_view (self);
      update_readout (self);
    }
  if (asks_3d (self) && is_line (self))
    message = output ? g_strdup_printf (_("Landscape saved as %s; %s"), basename, _(NO_3D_NOTE))
                     : g_strdup_printf (_("Landscape computed; %s"), _(NO_3D_NOTE));
  else if (output)
    {
      message = g_strdup_printf (_("Landscape saved as %s; click the map to see the model there"), basename);
      prune_surfaces (self);
      relief_work_dir_add_recent (output, NULL);
    }
  else
    message = g_strdup (_("Landscape computed; click the map to see the model there"));
  relief_page_set_status (RELIEF_PAGE (self), message);
  relief_page_set_progress (RELIEF_PAGE (self), 1.0);
}

/* An opened surface's run, loaded off the main loop for clicks on the map. */
typedef struct RunLoad {
  char            *path;
  ReliefLoadedRun *run;
} RunLoad;

static void
run_load_free (gpointer data)
{
  RunLoad *l = data;

  g_free (l->path);
  g_clear_pointer (&l->run, relief_loaded_run_unref);
  g_free (l);
}

static gboolean
run_load_run (gpointer data, GCancellable *cancellable, GError **error)
{
  RunLoad *l = data;

  l->run = relief_loaded_run_load (l->path, error);
  return l->run != NULL;
}

static void
run_load_done (gpointer owner, const GError *error)
{
  ReliefLandscapePage *self = owner;
  RunLoad *l = self->run_load;

  self->run_job = NULL;
  self->run_load = NULL;
  if (error)
    relief_page_set_status (RELIEF_PAGE (self), error->message);
  else if (self->run == NULL && g_strcmp0 (l->path, self->run_path) == 0)
    self->run = relief_loaded_run_ref (l->run);
}

static void
stop_run_load (ReliefLandscapePage *self)
{
  g_clear_pointer (&self->run_job, relief_worker_drop);
  self->run_load = NULL;
}

void
relief_landscape_page_set_run (ReliefLandscapePage *self, const char *run_path)
{
  g_return_if_fail (RELIEF_IS_LANDSCAPE_PAGE (self));

  relief_page_cancel (RELIEF_PAGE (self));
  stop_run_load (self);
  /* The decisions shown were the earlier model's. */
  relief_landscape_page_close_decision (self);
  if (self->surface && g_strcmp0 (self->run_path, run_path) != 0)
    self->stale = EARLIER_RUN;
  self->zoomed = FALSE;
  g_free (self->run_path);
  self->run_path = g_strdup (run_path);
  g_clear_pointer (&self->run, relief_loaded_run_unref);
  relief_page_set_can_run (RELIEF_PAGE (self), run_path != NULL);
  update_range_row (self);
  update_view (self);
}

/* Another page began a run (coming) or ended without one. */
static void
relief_landscape_page_run_coming (ReliefPage *page, gboolean coming)
{
  ReliefLandscapePage *self = RELIEF_LANDSCAPE_PAGE (page);

  if (coming && self->surface)
    {
      self->stale = RUN_TRAINING;
      relief_page_set_status (page, _("The map shows the previous run's landscape until the new run is trained"));
    }
  else if (!coming && self->stale == RUN_TRAINING)
    {
      self->stale = FRESH;
      relief_page_set_status (page, "");
    }
  update_view (self);
}

/* A surface file: its map, and its run (when that file is still there) for zooming,
 * clicks and Compute. */
static gboolean
relief_landscape_page_open (ReliefPage *page, const char *path, ReliefFileKind kind)
{
  ReliefLandscapePage *self = RELIEF_LANDSCAPE_PAGE (page);
  g_autoptr(ReliefSurface) surface = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *title = NULL, *message = NULL;
  gboolean has_run;
  int direction;
  gsize n;

  if (kind != RELIEF_FILE_KIND_SURFACE)
    return FALSE;
  if ((surface = relief_surface_load (path, &error)) == NULL)
    {
      report_error (self, _("Cannot open the landscape"), error->message);
      return TRUE;
    }
  relief_page_drop_job (page);
  self->work = NULL;
  has_run = surface->run_file != NULL && g_file_test (surface->run_file, G_FILE_TEST_IS_REGULAR);
  relief_landscape_page_set_run (self, has_run ? surface->run_file : NULL);
  if (has_run)
    {
      self->run_load = g_new0 (RunLoad, 1);
      self->run_load->path = g_strdup (surface->run_file);
      self->run_job = relief_worker_start (run_load_run, self->run_load, run_load_free, NULL, run_load_done, self);
    }

  /* The controls as the slice was made, so that Compute makes it again. */
  if (surface->direction_kind && relief_enum_from_nick (RELIEF_TYPE_DIRECTION_KIND, surface->direction_kind,
                                                       &direction, NULL))
    relief_combo_select_enum (self->directions_row, direction);
  gtk_spin_button_set_value (self->seed_spin, (double) surface->seed);
  gtk_spin_button_set_value (self->resolution_spin, surface->nx);
  gtk_spin_button_set_value (self->range_spin, MAX (fabs (surface->xcoords[0]), fabs (surface->xcoords[surface->nx - 1])));

  n = (gsize) surface->nx * surface->ny;
  self->n_done = 0;
  for (gsize i = 0; i < n; i++)
    self->n_done += !isnan (surface->train_loss[i]);
  gtk_widget_set_sensitive (self->trajectory_row, surface->n_proj > 0);
  if (surface->n_proj > 0)
    {
      gtk_range_set_range (self->trajectory_scale, 0, surface->n_proj - 1);
      gtk_range_set_value (self->trajectory_scale, surface->n_proj - 1);
    }
  g_clear_pointer (&self->surface, relief_surface_free);
  self->surface = g_steal_pointer (&surface);
  relief_plot_view_reset_view (self->surface_view);
  update_view (self);
  update_readout (self);

  relief_work_dir_add_recent (path, NULL);
  title = relief_work_dir_title (path);
  if (has_run)
    message = g_strdup_printf (_("Opened %s"), title);
  else
    message = g_strdup_printf (_("Opened %s; its run is not there, so it cannot be zoomed or computed again"), title);
  relief_page_set_status (page, message);
  relief_page_set_progress (page, (double) self->n_done / n);
  return TRUE;
}

/* The map's window in direction coordinates; zooming and panning recompute it at the
 * same resolution, in memory only.  save: the user asked for this slice, and its file is
 * written (one per run and slice) when it is complete. */
static void
compute_window (ReliefLandscapePage *self, double xmin, double xmax, double ymin, double ymax, gboolean save,
                gboolean resume, gboolean fit)
{
  SurfaceWork *w;
  int resolution = gtk_spin_button_get_value_as_int (self->resolution_spin);

  if (self->run_path == NULL)
    return;

  w = g_new0 (SurfaceWork, 1);
  relief_work_shared_init (&w->shared);
  relief_surface_job_init_defaults (&w->job);
  w->run_path = g_strdup (self->run_path);
  w->save = save;
  w->resume = resume;
  if (self->run)
    w->job.run = relief_loaded_run_ref (self->run);
  w->job.x = (ReliefGridAxis) { xmin, xmax, resolution };
  w->job.y = (ReliefGridAxis) { ymin, ymax, resolution };
  w->job.directions = relief_combo_enum (self->directions_row);
  w->job.seed = (guint64) gtk_spin_button_get_value (self->seed_spin);
  w->job.max_samples = gtk_spin_button_get_value_as_int (self->samples_spin);
  w->job.backend = relief_combo_enum (self->backend_row);
  w->job.fit_path = fit && w->job.directions == RELIEF_DIRECTIONS_PCA;
  if (w->job.directions == RELIEF_DIRECTIONS_LINE)
    {
      /* Goodfellow et al.'s interpolation: alpha 0 is the initialization, 1 the final
       * model, and a little beyond both ends. */
      g_free (w->job.checkpoint);
      w->job.checkpoint = g_strdup ("0");
      w->job.to_checkpoint = g_strdup ("last");
      w->job.one_d = TRUE;
      w->job.x = (ReliefGridAxis) { -0.5, 1.5, resolution };
      w->job.y = (ReliefGridAxis) { 0, 0, 1 };
    }

  g_clear_pointer (&self->surface, relief_surface_free);
  self->surface = relief_surface_new (w->job.x.count, w->job.y.count);
  relief_grid_axis_values (&w->job.x, self->surface->xcoords);
  if (self->surface->ycoords)
    relief_grid_axis_values (&w->job.y, self->surface->ycoords);
  self->n_done = 0;
  self->stale = FRESH;
  relief_page_set_progress (RELIEF_PAGE (self), 0);
  relief_page_set_status (RELIEF_PAGE (self), _("Computing the landscape around the last checkpoint…"));
  update_range_row (self);
  update_view (self);

  /* A new request replaces the running one; its data is dropped with it. */
  self->work = w;
  gtk_widget_set_sensitive (self->trajectory_row, FALSE);
  relief_page_start_job (RELIEF_PAGE (self), surface_work_run, w, surface_work_free, surface_tick, surface_done);
}

/* The slice the settings ask for, saved: the window zoomed to, else ±range (a PCA plane
 * fitted to its trajectory).  resume: shown from its file when an earlier job computed it
 * (the landscape of a run opened again), else computed. */
static void
compute_slice (ReliefLandscapePage *self, gboolean resume)
{
  double range = gtk_spin_button_get_value (self->range_spin);
  const double *w = self->window;

  if (self->zoomed && relief_combo_enum (self->directions_row) != RELIEF_DIRECTIONS_LINE)
    {
      compute_window (self, w[0], w[1], w[2], w[3], TRUE, FALSE, FALSE);
      return;
    }
  self->zoomed = FALSE;
  relief_plot_view_reset_view (self->surface_view);
  compute_window (self, -range, range, -range, range, TRUE, resume, TRUE);
}

/* Compute's settings, all good; else the first bad one is marked and the status line says
 * which. */
static gboolean
check_settings (ReliefLandscapePage *self)
{
  GtkSpinButton *spins[] = { self->range_spin, self->resolution_spin, self->seed_spin, self->samples_spin, NULL };
  g_autoptr(GError) error = NULL;

  if (relief_spins_check (spins, &error))
    return TRUE;
  relief_page_set_status (RELIEF_PAGE (self), error->message);
  return FALSE;
}

static void
relief_landscape_page_run (ReliefPage *page)
{
  if (check_settings (RELIEF_LANDSCAPE_PAGE (page)))
    compute_slice (RELIEF_LANDSCAPE_PAGE (page), FALSE);
}

/* A run trained or opened on the Train page: its landscape, at once. */
static gboolean
relief_landscape_page_show_run (ReliefPage *page, const char *run_path)
{
  relief_landscape_page_set_run (RELIEF_LANDSCAPE_PAGE (page), run_path);
  if (!relief_page_is_running (page))
    compute_slice (RELIEF_LANDSCAPE_PAGE (page), TRUE);
  return TRUE;
}

static void
on_view_changed (ReliefPlotView *view, double xmin, double xmax, double ymin, double ymax,
                 ReliefLandscapePage *self)
{
  self->zoomed = TRUE;
  self->window[0] = xmin;
  self->window[1] = xmax;
  self->window[2] = ymin;
  self->window[3] = ymax;
  compute_window (self, xmin, xmax, ymin, ymax, FALSE, FALSE, FALSE);
}

static void
on_view_reset (ReliefPlotView *view, ReliefLandscapePage *self)
{
  self->zoomed = FALSE;
  relief_landscape_page_run (RELIEF_PAGE (self));
}

/* The range applies to planes of random or PCA directions (the line's runs from before
 * the initialization to past the final model), the seed to random ones only. */
static void
on_directions_changed (ReliefLandscapePage *self)
{
  int kind = relief_combo_enum (self->directions_row);

  gtk_widget_set_sensitive (gtk_widget_get_ancestor (GTK_WIDGET (self->range_spin), ADW_TYPE_ACTION_ROW),
                            kind != RELIEF_DIRECTIONS_LINE);
  gtk_widget_set_sensitive (gtk_widget_get_ancestor (GTK_WIDGET (self->seed_spin), ADW_TYPE_ACTION_ROW),
                            kind == RELIEF_DIRECTIONS_RANDOM);
}

/* A new range or new directions: Compute starts from ±range again. */
static void
on_slice_changed (ReliefLandscapePage *self)
{
  self->zoomed = FALSE;
  update_range_row (self);
}

static void
on_plot_kind_changed (ReliefLandscapePage *self)
{
  update_plot_stack (self);
  if (asks_3d (self) && is_line (self))
    relief_page_set_status (RELIEF_PAGE (self), _(NO_3D_NOTE));
  update_view (self);
}

int
relief_landscape_page_get_n_done (ReliefLandscapePage *self, int *n_total)
{
  if (n_total)
    *n_total = self->surface ? self->surface->nx * self->surface->ny : 0;
  return self->n_done;
}

/* The coordinate nearest to v, which lies within the axis. */
static int
nearest_index (const double *values, int n, double v)
{
  int i;

  if (n < 2)
    return 0;
  i = relief_grid_cell (values, n, v);
  return v - values[i] <= values[i + 1] - v ? i : i + 1;
}

gboolean
relief_landscape_page_value_at (ReliefLandscapePage *self, double x, double y, double *loss, double *acc_percent)
{
  ReliefSurface *s = self->surface;
  gsize cell;

  if (s == NULL || x < s->xcoords[0] || x > s->xcoords[s->nx - 1])
    return FALSE;
  if (s->ny == 1)
    cell = nearest_index (s->xcoords, s->nx, x);
  else if (y < s->ycoords[0] || y > s->ycoords[s->ny - 1])
    return FALSE;
  else
    cell = (gsize) nearest_index (s->ycoords, s->ny, y) * s->nx + nearest_index (s->xcoords, s->nx, x);
  if (isnan (s->train_loss[cell]))
    return FALSE;
  *loss = s->train_loss[cell];
  *acc_percent = s->train_acc[cell];
  return TRUE;
}

static void
update_readout (ReliefLandscapePage *self)
{
  double loss, acc, x = self->hover_x, y = self->hover_y;
  g_autofree char *text = NULL;

  if (!self->hovering)
    return;
  /* Along a line the pointer's height means nothing: alpha and the values there. */
  if (self->surface && self->surface->ny == 1)
    text = relief_landscape_page_value_at (self, x, y, &loss, &acc)
             ? g_strdup_printf (_("alpha %+.3f   loss %.4f   accuracy %.1f%%"), x, loss, acc)
             : g_strdup_printf (_("alpha %+.3f   not computed yet"), x);
  else if (relief_landscape_page_value_at (self, x, y, &loss, &acc))
    text = g_strdup_printf (_("x %+.3f   y %+.3f   loss %.4f   accuracy %.1f%%"), x, y, loss, acc);
  else
    text = g_strdup_printf (_("x %+.3f   y %+.3f   not computed yet"), x, y);
  gtk_label_set_text (self->readout_label, text);
}

static void
on_hover (ReliefPlotView *view, double x, double y, ReliefLandscapePage *self)
{
  self->hovering = TRUE;
  self->hover_x = x;
  self->hover_y = y;
  update_readout (self);
}

static void
on_hover_end (ReliefPlotView *view, ReliefLandscapePage *self)
{
  self->hovering = FALSE;
  gtk_label_set_text (self->readout_label, "");
}

static void
on_view_setting_changed (ReliefLandscapePage *self)
{
  update_view (self);
}

typedef struct {
  ReliefSurface       *surface;
  ReliefFigureOptions  options;
} ExportData;

static void
draw_surface_figure (cairo_t *cr, double width, double height, gpointer user_data)
{
  ExportData *d = user_data;

  relief_figure_surface (cr, width, height, d->surface, &d->options);
}

static void
export_to (ReliefPage *page, GFile *file)
{
  ReliefLandscapePage *self = RELIEF_LANDSCAPE_PAGE (page);
  ExportData data = { self->surface };

  if (self->surface == NULL)
    return;
  figure_options (self, &data.options);
  data.options.kind = relief_combo_enum (self->plot_row);
  relief_page_write_figure (page, file, 432, 324, draw_surface_figure, &data);
}

static void
relief_landscape_page_export (ReliefPage *page)
{
  ReliefLandscapePage *self = RELIEF_LANDSCAPE_PAGE (page);

  if (self->surface == NULL || self->n_done == 0)
    {
      report_error (self, _("Nothing to export yet"), _("Compute a landscape first."));
      return;
    }
  relief_page_choose_figure (page, _("Export Landscape"), "landscape.pdf", export_to);
}

static void
relief_landscape_page_dispose (GObject *object)
{
  ReliefLandscapePage *self = RELIEF_LANDSCAPE_PAGE (object);

  g_clear_pointer (&self->decision_job, relief_worker_drop);
  self->decision_work = NULL;
  stop_run_load (self);
  G_OBJECT_CLASS (relief_landscape_page_parent_class)->dispose (object);
}

static void
relief_landscape_page_finalize (GObject *object)
{
  ReliefLandscapePage *self = RELIEF_LANDSCAPE_PAGE (object);

  g_free (self->run_path);
  g_clear_pointer (&self->run, relief_loaded_run_unref);
  g_clear_pointer (&self->surface, relief_surface_free);
  decision_work_free (self->decision);
  G_OBJECT_CLASS (relief_landscape_page_parent_class)->finalize (object);
}

#define CHILD(field) RELIEF_TEMPLATE_CHILD (ReliefLandscapePage, field)
static const ReliefTemplateChild children[] = {
  CHILD (paned), CHILD (directions_row), CHILD (range_row), CHILD (range_spin), CHILD (resolution_spin), CHILD (seed_spin),
  CHILD (samples_spin), CHILD (backend_row), CHILD (plot_row), CHILD (trajectory_row),
  CHILD (trajectory_scale), CHILD (colormap_row), CHILD (levels_spin), CHILD (log_switch),
  CHILD (status_label), CHILD (readout_label), CHILD (progress_bar), CHILD (plot_stack), CHILD (plot_box),
  CHILD (surface_view), CHILD (surface3d_view), CHILD (decision_panel),
  CHILD (decision_area)
};
#undef CHILD

static void
relief_landscape_page_class_init (ReliefLandscapePageClass *klass)
{
  ReliefPageClass *page_class = RELIEF_PAGE_CLASS (klass);

  G_OBJECT_CLASS (klass)->dispose = relief_landscape_page_dispose;
  G_OBJECT_CLASS (klass)->finalize = relief_landscape_page_finalize;
  page_class->run = relief_landscape_page_run;
  page_class->export = relief_landscape_page_export;
  page_class->show_run = relief_landscape_page_show_run;
  page_class->dismiss = relief_landscape_page_dismiss;
  page_class->open = relief_landscape_page_open;
  page_class->run_coming = relief_landscape_page_run_coming;
  gtk_widget_class_install_action (GTK_WIDGET_CLASS (klass), "page.close-decision", NULL, action_close_decision);

  g_type_ensure (RELIEF_TYPE_PLOT_VIEW);
  g_type_ensure (RELIEF_TYPE_SURFACE_VIEW);
  g_type_ensure (RELIEF_TYPE_DIRECTION_KIND);
  g_type_ensure (RELIEF_TYPE_COLORMAP);
  g_type_ensure (RELIEF_TYPE_BACKEND_KIND);
  relief_page_class_set_template (page_class, "/org/relief/Relief/ui/relief-landscape-page.ui",
                                  children, G_N_ELEMENTS (children));
}

static void
relief_landscape_page_init (ReliefLandscapePage *self)
{
  GtkSpinButton *spins[5];

  gtk_widget_init_template (GTK_WIDGET (self));
  spins[0] = self->range_spin;
  spins[1] = self->resolution_spin;
  spins[2] = self->seed_spin;
  spins[3] = self->samples_spin;
  spins[4] = self->levels_spin;
  relief_page_set_status_widgets (RELIEF_PAGE (self), self->status_label, self->progress_bar);
  relief_combo_offer_enum (self->plot_row, RELIEF_TYPE_FIGURE_KIND, is_view_kind);
  /* Nothing to slice until a run is set. */
  relief_page_set_can_run (RELIEF_PAGE (self), FALSE);
  g_signal_connect (self->surface_view, "hover", G_CALLBACK (on_hover), self);
  g_signal_connect (self->surface_view, "hover-end", G_CALLBACK (on_hover_end), self);
  g_signal_connect (self->surface_view, "view-changed", G_CALLBACK (on_view_changed), self);
  g_signal_connect (self->surface_view, "view-reset", G_CALLBACK (on_view_reset), self);
  g_signal_connect (self->surface_view, "clicked", G_CALLBACK (on_clicked), self);
  gtk_drawing_area_set_draw_func (self->decision_area, decision_draw, self, NULL);
  g_signal_connect_swapped (self->plot_row, "notify::selected", G_CALLBACK (on_plot_kind_changed), self);
  g_signal_connect_swapped (self->directions_row, "notify::selected", G_CALLBACK (on_directions_changed), self);
  on_directions_changed (self);
  for (guint i = 0; i < G_N_ELEMENTS (spins); i++)
    relief_spin_watch (spins[i]);
  g_signal_connect_swapped (self->trajectory_scale, "value-changed", G_CALLBACK (on_view_setting_changed), self);
  g_signal_connect_swapped (self->colormap_row, "notify::selected", G_CALLBACK (on_view_setting_changed), self);
  g_signal_connect_swapped (self->levels_spin, "value-changed", G_CALLBACK (on_view_setting_changed), self);
  g_signal_connect_swapped (self->log_switch, "notify::active", G_CALLBACK (on_view_setting_changed), self);
  g_signal_connect_swapped (self->range_spin, "value-changed", G_CALLBACK (on_slice_changed), self);
  g_signal_connect_swapped (self->directions_row, "notify::selected", G_CALLBACK (on_slice_changed), self);
  update_range_row (self);
}
