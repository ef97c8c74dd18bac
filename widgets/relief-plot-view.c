/* relief-plot-view.c: draws a heatmap or line plot through the plot core, and reports
 * the data coordinates under the pointer.
 *
 * The plot is rendered once into an image surface and reused until the data or the size
 * changes, so that hovering only repaints the image and the crosshair on top.
 *
 * Heatmaps zoom (scroll) and pan (drag) without resampling anything here: the view keeps
 * a data window, shows the rendered image scaled and moved into it at once, and reports
 * the window ("view-changed") for the owner to recompute and set the new grid.
 */
#include "relief-plot-view.h"
#include "relief-plot-widget.h"

#include <math.h>
#include <string.h>

/* Scroll steps arrive in bursts; the owner hears of the window once the burst is over. */
#define SCROLL_SETTLE_MS 150
#define ZOOM_STEP 1.2
/* Pixels a press must move before it pans: below that it is a click. */
#define PAN_THRESHOLD 4.0

typedef enum {
  MODE_EMPTY,
  MODE_HEATMAP,
  MODE_LINES,
} Mode;

struct _ReliefPlotView {
  GtkWidget parent_instance;

  /* owned copies of the data; the const pointers inside point to memory we own */
  Mode               mode;
  ReliefHeatmapSpec  heatmap;
  ReliefLinePlotSpec lines;
  char              *placeholder_text;

  /* the rendered plot and where its data area is */
  cairo_surface_t   *cache;
  int                cache_width, cache_height, cache_scale;
  ReliefPlotFrame    frame;

  /* pointer, in widget coordinates */
  gboolean           hovering;
  double             hover_x, hover_y;
  gboolean           has_pointer;
  double             pointer_x, pointer_y;

  /* zoom and pan: the data window shown, when it differs from the rendered one */
  gboolean           has_window;
  double             window[4];          /* xmin, xmax, ymin, ymax */
  double             drag_start[4];
  gboolean           dragging, panned;
  guint              settle_id;

  /* a click: where the press was, and the click waiting out the double-click time */
  double             press_x, press_y;
  guint              click_id;
  double             click_x, click_y;   /* data coordinates */
};

G_DEFINE_FINAL_TYPE (ReliefPlotView, relief_plot_view, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_PLACEHOLDER_TEXT,
  N_PROPS
};

enum {
  HOVER,
  HOVER_END,
  CLICKED,
  VIEW_CHANGED,
  VIEW_RESET,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

/* ---- data ---- */

/* A deep copy of n series; an empty array when n is 0. */
static ReliefLineSeries *
copy_series (const ReliefLineSeries *series, int n)
{
  ReliefLineSeries *copy = g_new0 (ReliefLineSeries, MAX (n, 1));

  for (int s = 0; s < n; s++)
    {
      copy[s] = series[s];
      copy[s].label = g_strdup (series[s].label);
      copy[s].x = relief_plot_widget_copy_doubles (series[s].x, MAX (series[s].n, 0));
      copy[s].y = relief_plot_widget_copy_doubles (series[s].y, MAX (series[s].n, 0));
    }
  return copy;
}

static void
free_series (ReliefLineSeries *series, int n)
{
  for (int s = 0; s < n; s++)
    {
      g_free ((char *) series[s].label);
      g_free ((double *) series[s].x);
      g_free ((double *) series[s].y);
    }
  g_free (series);
}

static void
clear_data (ReliefPlotView *self)
{
  if (self->mode == MODE_HEATMAP)
    {
      ReliefHeatmapSpec *h = &self->heatmap;

      relief_plot_widget_free_labels (h->title, h->xlabel, h->ylabel, h->zlabel);
      g_free ((double *) h->xs);
      g_free ((double *) h->ys);
      g_free ((double *) h->z);
      g_free ((double *) h->path_x);
      g_free ((double *) h->path_y);
      free_series ((ReliefLineSeries *) h->paths, h->n_paths);
    }
  else if (self->mode == MODE_LINES)
    {
      ReliefLinePlotSpec *l = &self->lines;

      free_series ((ReliefLineSeries *) l->series, l->n_series);
      relief_plot_widget_free_labels (l->title, l->xlabel, l->ylabel, NULL);
    }
  memset (&self->heatmap, 0, sizeof self->heatmap);
  memset (&self->lines, 0, sizeof self->lines);
  self->mode = MODE_EMPTY;
}

static void
invalidate (ReliefPlotView *self)
{
  g_clear_pointer (&self->cache, cairo_surface_destroy);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

/* Renders the plot for the current size unless the cached one still fits. */
static gboolean
ensure_cache (ReliefPlotView *self)
{
  GtkWidget *widget = GTK_WIDGET (self);
  int width = gtk_widget_get_width (widget), height = gtk_widget_get_height (widget);
  int scale = gtk_widget_get_scale_factor (widget);
  cairo_t *cr;

  if (self->mode == MODE_EMPTY || width <= 0 || height <= 0)
    return FALSE;
  if (self->cache && self->cache_width == width && self->cache_height == height && self->cache_scale == scale)
    return TRUE;

  g_clear_pointer (&self->cache, cairo_surface_destroy);
  self->cache = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, width * scale, height * scale);
  cairo_surface_set_device_scale (self->cache, scale, scale);
  self->cache_width = width;
  self->cache_height = height;
  self->cache_scale = scale;
  cr = cairo_create (self->cache);
  cairo_scale (cr, RELIEF_SCREEN_ZOOM, RELIEF_SCREEN_ZOOM);
  if (self->mode == MODE_HEATMAP)
    relief_plot_heatmap (cr, width / RELIEF_SCREEN_ZOOM, height / RELIEF_SCREEN_ZOOM, &self->heatmap,
                         &self->frame);
  else
    relief_plot_lines (cr, width / RELIEF_SCREEN_ZOOM, height / RELIEF_SCREEN_ZOOM, &self->lines,
                       &self->frame);
  cairo_destroy (cr);

  self->frame.px *= RELIEF_SCREEN_ZOOM;
  self->frame.py *= RELIEF_SCREEN_ZOOM;
  self->frame.pw *= RELIEF_SCREEN_ZOOM;
  self->frame.ph *= RELIEF_SCREEN_ZOOM;
  self->frame.cbx *= RELIEF_SCREEN_ZOOM;
  self->frame.cby *= RELIEF_SCREEN_ZOOM;
  self->frame.cbw *= RELIEF_SCREEN_ZOOM;
  self->frame.cbh *= RELIEF_SCREEN_ZOOM;
  return TRUE;
}

/* The frame with the limits of the data window shown (they differ while zooming or
 * panning ahead of new data). */
static ReliefPlotFrame
view_frame (ReliefPlotView *self)
{
  ReliefPlotFrame f = self->frame;

  if (self->has_window)
    {
      f.xmin = self->window[0];
      f.xmax = self->window[1];
      f.ymin = self->window[2];
      f.ymax = self->window[3];
    }
  return f;
}

static void
get_window (ReliefPlotView *self, double w[4])
{
  ReliefPlotFrame f = view_frame (self);

  w[0] = f.xmin;
  w[1] = f.xmax;
  w[2] = f.ymin;
  w[3] = f.ymax;
}

static void
set_window (ReliefPlotView *self, const double w[4])
{
  memcpy (self->window, w, sizeof self->window);
  self->has_window = TRUE;
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
emit_view_changed (ReliefPlotView *self)
{
  double w[4];

  get_window (self, w);
  g_signal_emit (self, signals[VIEW_CHANGED], 0, w[0], w[1], w[2], w[3]);
}

/* The grid index nearest to v, or -1 when v is outside the grid's extent (half a unit
 * around a single point, as the plot core draws it). */
static int
nearest_index (const double *c, int n, double v)
{
  int lo;

  if (c == NULL || n < 2)
    return fabs (v - (c && n == 1 ? c[0] : 0)) <= 0.5 ? 0 : -1;
  if (!(v >= c[0] && v <= c[n - 1]))
    return -1;
  lo = relief_grid_cell (c, n, v);
  return v - c[lo] <= c[lo + 1] - v ? lo : lo + 1;
}

/* New data for the window being shown ends the zoom or pan; data for another window (a
 * coarse pass for an older window, while the user goes on zooming) are shown in it. */
static void
drop_window_if_reached (ReliefPlotView *self)
{
  double lo[2], hi[2];
  const double *w = self->window;

  if (!self->has_window || self->dragging || self->settle_id)
    return;
  relief_grid_extent (self->heatmap.xs, self->heatmap.nx, &lo[0], &hi[0]);
  relief_grid_extent (self->heatmap.ys, self->heatmap.ny, &lo[1], &hi[1]);
  if (fabs (lo[0] - w[0]) <= 1e-6 * (w[1] - w[0]) && fabs (hi[0] - w[1]) <= 1e-6 * (w[1] - w[0])
      && fabs (lo[1] - w[2]) <= 1e-6 * (w[3] - w[2]) && fabs (hi[1] - w[3]) <= 1e-6 * (w[3] - w[2]))
    self->has_window = FALSE;
}

/* ---- pointer ---- */

static void
end_hover (ReliefPlotView *self)
{
  if (!self->hovering)
    return;
  self->hovering = FALSE;
  gtk_widget_queue_draw (GTK_WIDGET (self));
  g_signal_emit (self, signals[HOVER_END], 0);
}

static void
on_motion (GtkEventControllerMotion *controller, double px, double py, ReliefPlotView *self)
{
  ReliefPlotFrame f;
  double x, y;

  self->has_pointer = TRUE;
  self->pointer_x = px;
  self->pointer_y = py;
  if (!ensure_cache (self))
    {
      end_hover (self);
      return;
    }
  f = view_frame (self);
  if (!relief_plot_frame_to_data (&f, px, py, &x, &y))
    {
      end_hover (self);
      return;
    }
  self->hovering = TRUE;
  self->hover_x = px;
  self->hover_y = py;
  gtk_widget_queue_draw (GTK_WIDGET (self));
  g_signal_emit (self, signals[HOVER], 0, x, y);
}

static void
on_leave (GtkEventControllerMotion *controller, ReliefPlotView *self)
{
  self->has_pointer = FALSE;
  end_hover (self);
}

static gboolean
emit_click (gpointer user_data)
{
  ReliefPlotView *self = user_data;

  self->click_id = 0;
  g_signal_emit (self, signals[CLICKED], 0, self->click_x, self->click_y);
  return G_SOURCE_REMOVE;
}

/* A double click asks for the home window (the owner knows what that is), and is no
 * click: the first press's click, still waiting, goes. */
static void
on_pressed (GtkGestureClick *gesture, int n_press, double px, double py, ReliefPlotView *self)
{
  if (n_press == 1)
    {
      self->press_x = px;
      self->press_y = py;
      self->panned = FALSE;
    }
  if (n_press == 2 && self->mode == MODE_HEATMAP)
    {
      g_clear_handle_id (&self->click_id, g_source_remove);
      g_signal_emit (self, signals[VIEW_RESET], 0);
    }
}

/* A click is a press and release without movement: a press that became a pan, or moved
 * past the pan threshold, is none.  Over a heatmap, where a double click means home, it
 * waits out the double-click time first. */
static void
on_released (GtkGestureClick *gesture, int n_press, double px, double py, ReliefPlotView *self)
{
  ReliefPlotFrame f;
  int double_click_ms = 400;

  if (n_press != 1 || self->panned || hypot (px - self->press_x, py - self->press_y) >= PAN_THRESHOLD ||
      !ensure_cache (self))
    return;
  f = view_frame (self);
  if (!relief_plot_frame_to_data (&f, px, py, &self->click_x, &self->click_y))
    return;
  g_clear_handle_id (&self->click_id, g_source_remove);
  if (self->mode != MODE_HEATMAP)
    {
      emit_click (self);
      return;
    }
  g_object_get (gtk_widget_get_settings (GTK_WIDGET (self)), "gtk-double-click-time", &double_click_ms, NULL);
  self->click_id = g_timeout_add (double_click_ms, emit_click, self);
}

static gboolean
settle_scroll (gpointer user_data)
{
  ReliefPlotView *self = user_data;

  self->settle_id = 0;
  emit_view_changed (self);
  return G_SOURCE_REMOVE;
}

/* Zooms about the data point under the pointer (the centre when the pointer is not over
 * the data area), so that the point stays where it is on screen. */
static gboolean
on_scroll (GtkEventControllerScroll *controller, double dx, double dy, ReliefPlotView *self)
{
  ReliefPlotFrame f;
  double factor, cx, cy, w[4];

  if (self->mode != MODE_HEATMAP || dy == 0 || !ensure_cache (self))
    return FALSE;
  f = view_frame (self);
  if (!self->has_pointer || !relief_plot_frame_to_data (&f, self->pointer_x, self->pointer_y, &cx, &cy))
    {
      cx = (f.xmin + f.xmax) / 2;
      cy = (f.ymin + f.ymax) / 2;
    }
  factor = pow (ZOOM_STEP, CLAMP (dy, -5, 5));
  w[0] = cx - (cx - f.xmin) * factor;
  w[1] = cx + (f.xmax - cx) * factor;
  w[2] = cy - (cy - f.ymin) * factor;
  w[3] = cy + (f.ymax - cy) * factor;
  set_window (self, w);
  g_clear_handle_id (&self->settle_id, g_source_remove);
  self->settle_id = g_timeout_add (SCROLL_SETTLE_MS, settle_scroll, self);
  return TRUE;
}

/* The keyboard, when the plot has focus: arrows pan a tenth of the window, + and - zoom
 * about its centre (reported once the keys settle, as scrolling), Enter or space picks the
 * centre as a click would. */
static gboolean
on_key_pressed (GtkEventControllerKey *controller, guint keyval, guint keycode, GdkModifierType state,
                ReliefPlotView *self)
{
  ReliefPlotFrame f;
  double w[4], cx, cy, dx = 0, dy = 0, factor = 1;

  if (self->mode != MODE_HEATMAP || (state & (GDK_CONTROL_MASK | GDK_ALT_MASK)) || !ensure_cache (self))
    return FALSE;
  f = view_frame (self);
  cx = (f.xmin + f.xmax) / 2;
  cy = (f.ymin + f.ymax) / 2;
  switch (keyval)
    {
    case GDK_KEY_Left: case GDK_KEY_KP_Left: dx = -0.1; break;
    case GDK_KEY_Right: case GDK_KEY_KP_Right: dx = 0.1; break;
    case GDK_KEY_Up: case GDK_KEY_KP_Up: dy = 0.1; break;
    case GDK_KEY_Down: case GDK_KEY_KP_Down: dy = -0.1; break;
    case GDK_KEY_plus: case GDK_KEY_equal: case GDK_KEY_KP_Add: factor = 1 / ZOOM_STEP; break;
    case GDK_KEY_minus: case GDK_KEY_KP_Subtract: factor = ZOOM_STEP; break;
    case GDK_KEY_Return: case GDK_KEY_KP_Enter: case GDK_KEY_space:
      g_signal_emit (self, signals[CLICKED], 0, cx, cy);
      return TRUE;
    default:
      return FALSE;
    }
  dx *= f.xmax - f.xmin;
  dy *= f.ymax - f.ymin;
  w[0] = cx + dx - (cx - f.xmin) * factor;
  w[1] = cx + dx + (f.xmax - cx) * factor;
  w[2] = cy + dy - (cy - f.ymin) * factor;
  w[3] = cy + dy + (f.ymax - cy) * factor;
  set_window (self, w);
  g_clear_handle_id (&self->settle_id, g_source_remove);
  self->settle_id = g_timeout_add (SCROLL_SETTLE_MS, settle_scroll, self);
  return TRUE;
}

/* A press on a heatmap gives it the keyboard focus, for the keys above. */
static void
on_drag_begin (GtkGestureDrag *gesture, double px, double py, ReliefPlotView *self)
{
  if (self->mode == MODE_HEATMAP)
    gtk_widget_grab_focus (GTK_WIDGET (self));
  self->dragging = self->mode == MODE_HEATMAP && ensure_cache (self);
  self->panned = FALSE;
  if (self->dragging)
    get_window (self, self->drag_start);
}

/* Moves the window against the pointer, so that the data follow it. */
static void
on_drag_update (GtkGestureDrag *gesture, double ox, double oy, ReliefPlotView *self)
{
  const ReliefPlotFrame *f = &self->frame;
  const double *s = self->drag_start;
  double dx, dy;

  if (!self->dragging || (!self->panned && hypot (ox, oy) < PAN_THRESHOLD))
    return;
  self->panned = TRUE;
  dx = -ox / f->pw * (s[1] - s[0]);
  dy = oy / f->ph * (s[3] - s[2]);
  set_window (self, (const double[4]) { s[0] + dx, s[1] + dx, s[2] + dy, s[3] + dy });
}

static void
on_drag_end (GtkGestureDrag *gesture, double ox, double oy, ReliefPlotView *self)
{
  if (!self->dragging)
    return;
  on_drag_update (gesture, ox, oy, self);
  self->dragging = FALSE;
  if (self->panned)
    emit_view_changed (self);
}

/* ---- drawing ---- */

/* The pointer in data coordinates. */
static void
hover_data (ReliefPlotView *self, double *x, double *y)
{
  ReliefPlotFrame vf = view_frame (self);

  relief_plot_frame_to_data (&vf, self->hover_x, self->hover_y, x, y);
}

char *
relief_plot_view_get_hover_text (ReliefPlotView *self)
{
  GString *text;
  double x, y, z;

  g_return_val_if_fail (RELIEF_IS_PLOT_VIEW (self), NULL);

  if (!self->hovering || self->mode == MODE_EMPTY)
    return NULL;
  hover_data (self, &x, &y);
  if (self->mode == MODE_HEATMAP)
    return relief_plot_view_heatmap_value_at (self, x, y, &z) ? g_strdup_printf ("%.4g, %.4g: %.4g", x, y, z)
                                                               : g_strdup_printf ("%.4g, %.4g", x, y);
  /* Over lines the pointer's height means nothing: each line's value at its x does. */
  text = g_string_new (NULL);
  g_string_printf (text, "%s%s%.4g", self->lines.xlabel ? self->lines.xlabel : "", self->lines.xlabel ? " " : "", x);
  for (int s = 0; s < self->lines.n_series; s++)
    if (relief_plot_view_line_value_at (self, s, x, &y))
      {
        const char *label = self->lines.series[s].label;

        g_string_append_printf (text, "%s%s%s%.4g", s == 0 ? ": " : ", ", label ? label : "", label ? " " : "", y);
      }
  return g_string_free (text, FALSE);
}

static void
draw_hover (ReliefPlotView *self, cairo_t *cr, int width, int height)
{
  const ReliefPlotFrame *f = &self->frame;
  double x, y, bw, bh;
  g_autofree char *text = relief_plot_view_get_hover_text (self);
  cairo_text_extents_t e;

  /* The crosshair: light over a heatmap, dark over a white plot.  Over lines, a dot on each
   * line where it crosses the pointer's x instead of a line at the pointer's height. */
  cairo_save (cr);
  cairo_rectangle (cr, f->px, f->py, f->pw, f->ph);
  cairo_clip (cr);
  if (self->mode == MODE_HEATMAP)
    cairo_set_source_rgba (cr, 1, 1, 1, 0.7);
  else
    cairo_set_source_rgba (cr, 0, 0, 0, 0.4);
  cairo_set_line_width (cr, 1);
  if (self->mode == MODE_HEATMAP)
    {
      cairo_move_to (cr, f->px, floor (self->hover_y) + 0.5);
      cairo_line_to (cr, f->px + f->pw, floor (self->hover_y) + 0.5);
    }
  cairo_move_to (cr, floor (self->hover_x) + 0.5, f->py);
  cairo_line_to (cr, floor (self->hover_x) + 0.5, f->py + f->ph);
  cairo_stroke (cr);
  if (self->mode == MODE_LINES)
    {
      ReliefPlotFrame vf = view_frame (self);

      hover_data (self, &x, &y);
      for (int s = 0; s < self->lines.n_series; s++)
        {
          const ReliefLineSeries *series = &self->lines.series[s];
          double v, px, py;

          if (!relief_plot_view_line_value_at (self, s, x, &v) || (vf.log_y && v <= 0))
            continue;
          relief_plot_frame_from_data (&vf, x, v, &px, &py);
          cairo_arc (cr, px, py, 3.5, 0, 2 * G_PI);
          cairo_set_source_rgb (cr, series->rgb[0], series->rgb[1], series->rgb[2]);
          cairo_fill_preserve (cr);
          cairo_set_source_rgb (cr, 1, 1, 1);
          cairo_stroke (cr);
        }
    }
  cairo_restore (cr);

  /* The label box beside the cursor, flipped to stay inside the widget. */
  cairo_save (cr);
  cairo_select_font_face (cr, "Sans", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_NORMAL);
  cairo_set_font_size (cr, RELIEF_PLOT_FONT_LABEL * RELIEF_SCREEN_ZOOM);
  cairo_text_extents (cr, text, &e);
  bw = e.x_advance + 10;
  bh = 20;
  x = self->hover_x + 12;
  y = self->hover_y + 12;
  if (x + bw > width)
    x = self->hover_x - 12 - bw;
  if (y + bh > height)
    y = self->hover_y - 12 - bh;
  x = floor (x) + 0.5;
  y = floor (y) + 0.5;
  cairo_rectangle (cr, x, y, bw, bh);
  cairo_set_source_rgba (cr, 1, 1, 1, 0.92);
  cairo_fill_preserve (cr);
  cairo_set_source_rgba (cr, 0, 0, 0, 0.3);
  cairo_set_line_width (cr, 1);
  cairo_stroke (cr);
  cairo_set_source_rgb (cr, 0.15, 0.15, 0.15);
  cairo_move_to (cr, x + 5, y + bh / 2 - e.y_bearing - e.height / 2);
  cairo_show_text (cr, text);
  cairo_restore (cr);
}

/* The rendered data area moved and scaled into the data window now shown, with ticks for
 * that window (the plot core draws in points, the frame is in pixels). */
static void
draw_in_window (ReliefPlotView *self, cairo_t *cr)
{
  const ReliefPlotFrame *f = &self->frame;
  const double *w = self->window;
  double sx = (f->xmax - f->xmin) / (w[1] - w[0]), sy = (f->ymax - f->ymin) / (w[3] - w[2]);

  cairo_save (cr);
  cairo_rectangle (cr, f->px, f->py, f->pw, f->ph);
  cairo_clip (cr);
  cairo_set_source_rgb (cr, 1, 1, 1);
  cairo_paint (cr);
  /* Device x of data x is px + (x - xmin) / (xmax - xmin) pw in either window; y runs
   * downwards from py + ph. */
  cairo_translate (cr, f->px + (f->xmin - w[0]) / (w[1] - w[0]) * f->pw,
                   f->py + f->ph - (f->ymin - w[2]) / (w[3] - w[2]) * f->ph);
  cairo_scale (cr, sx, sy);
  cairo_translate (cr, -f->px, -(f->py + f->ph));
  cairo_rectangle (cr, f->px, f->py, f->pw, f->ph);
  cairo_clip (cr);
  cairo_set_source_surface (cr, self->cache, 0, 0);
  cairo_paint (cr);
  cairo_restore (cr);

  {
    ReliefPlotFrame points = *f;

    points.px /= RELIEF_SCREEN_ZOOM;
    points.py /= RELIEF_SCREEN_ZOOM;
    points.pw /= RELIEF_SCREEN_ZOOM;
    points.ph /= RELIEF_SCREEN_ZOOM;
    points.cbx /= RELIEF_SCREEN_ZOOM;
    points.cby /= RELIEF_SCREEN_ZOOM;
    points.cbw /= RELIEF_SCREEN_ZOOM;
    points.cbh /= RELIEF_SCREEN_ZOOM;
    cairo_save (cr);
    cairo_scale (cr, RELIEF_SCREEN_ZOOM, RELIEF_SCREEN_ZOOM);
    relief_plot_redraw_ticks (cr, &points, w[0], w[1], w[2], w[3]);
    cairo_restore (cr);
  }
}

static void
draw_placeholder (ReliefPlotView *self, GtkSnapshot *snapshot, int width, int height)
{
  PangoLayout *layout;
  int lw, lh;
  GdkRGBA dim = { 0.5, 0.5, 0.5, 1 };   /* readable on light and dark themes */

  if (self->placeholder_text == NULL || *self->placeholder_text == '\0')
    return;
  layout = gtk_widget_create_pango_layout (GTK_WIDGET (self), self->placeholder_text);
  pango_layout_set_width (layout, width * PANGO_SCALE);
  pango_layout_set_alignment (layout, PANGO_ALIGN_CENTER);
  pango_layout_set_wrap (layout, PANGO_WRAP_WORD_CHAR);
  pango_layout_get_pixel_size (layout, &lw, &lh);
  gtk_snapshot_save (snapshot);
  gtk_snapshot_translate (snapshot, &GRAPHENE_POINT_INIT (0, (height - lh) / 2.0f));
  gtk_snapshot_append_layout (snapshot, layout, &dim);
  gtk_snapshot_restore (snapshot);
  g_object_unref (layout);
}

static void
relief_plot_view_snapshot (GtkWidget *widget, GtkSnapshot *snapshot)
{
  ReliefPlotView *self = RELIEF_PLOT_VIEW (widget);
  int width = gtk_widget_get_width (widget), height = gtk_widget_get_height (widget);
  cairo_t *cr;

  if (!ensure_cache (self))
    {
      draw_placeholder (self, snapshot, width, height);
      return;
    }
  cr = gtk_snapshot_append_cairo (snapshot, &GRAPHENE_RECT_INIT (0, 0, width, height));
  cairo_set_source_surface (cr, self->cache, 0, 0);
  cairo_paint (cr);
  if (self->has_window)
    draw_in_window (self, cr);
  if (self->hovering)
    draw_hover (self, cr, width, height);
  cairo_destroy (cr);
}

static void
relief_plot_view_measure (GtkWidget *widget, GtkOrientation orientation, int for_size,
                          int *minimum, int *natural, int *minimum_baseline, int *natural_baseline)
{
  gboolean horizontal = orientation == GTK_ORIENTATION_HORIZONTAL;

  *minimum = horizontal ? 200 : 150;
  *natural = horizontal ? 480 : 360;
}

/* ---- GObject ---- */

static void
relief_plot_view_finalize (GObject *object)
{
  ReliefPlotView *self = RELIEF_PLOT_VIEW (object);

  clear_data (self);
  g_clear_handle_id (&self->settle_id, g_source_remove);
  g_clear_handle_id (&self->click_id, g_source_remove);
  g_clear_pointer (&self->cache, cairo_surface_destroy);
  g_clear_pointer (&self->placeholder_text, g_free);
  G_OBJECT_CLASS (relief_plot_view_parent_class)->finalize (object);
}

static void
relief_plot_view_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  ReliefPlotView *self = RELIEF_PLOT_VIEW (object);

  switch (prop_id)
    {
    case PROP_PLACEHOLDER_TEXT:
      g_value_set_string (value, self->placeholder_text);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
relief_plot_view_set_property (GObject *object, guint prop_id, const GValue *value, GParamSpec *pspec)
{
  ReliefPlotView *self = RELIEF_PLOT_VIEW (object);

  switch (prop_id)
    {
    case PROP_PLACEHOLDER_TEXT:
      relief_plot_view_set_placeholder_text (self, g_value_get_string (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
relief_plot_view_class_init (ReliefPlotViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->finalize = relief_plot_view_finalize;
  object_class->get_property = relief_plot_view_get_property;
  object_class->set_property = relief_plot_view_set_property;
  widget_class->snapshot = relief_plot_view_snapshot;
  widget_class->measure = relief_plot_view_measure;

  properties[PROP_PLACEHOLDER_TEXT] =
    g_param_spec_string ("placeholder-text", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /* Data coordinates under the pointer, while it is inside the data area. */
  signals[HOVER] = g_signal_new ("hover", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                 G_TYPE_NONE, 2, G_TYPE_DOUBLE, G_TYPE_DOUBLE);
  signals[HOVER_END] = g_signal_new ("hover-end", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                                     NULL, G_TYPE_NONE, 0);
  /* A primary click inside the data area, in data coordinates. */
  signals[CLICKED] = g_signal_new ("clicked", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                   G_TYPE_NONE, 2, G_TYPE_DOUBLE, G_TYPE_DOUBLE);
  /* A heatmap zoomed or panned to a new data window (xmin, xmax, ymin, ymax): once per
   * drag and per burst of scroll steps.  The owner computes the grid for it and sets it. */
  signals[VIEW_CHANGED] = g_signal_new ("view-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL,
                                        NULL, NULL, G_TYPE_NONE, 4, G_TYPE_DOUBLE, G_TYPE_DOUBLE,
                                        G_TYPE_DOUBLE, G_TYPE_DOUBLE);
  /* A double click on a heatmap: back to the home window, whatever the owner calls home. */
  signals[VIEW_RESET] = g_signal_new ("view-reset", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                                      NULL, G_TYPE_NONE, 0);

  gtk_widget_class_set_css_name (widget_class, "reliefplotview");
}

static void
relief_plot_view_init (ReliefPlotView *self)
{
  GtkEventController *motion = gtk_event_controller_motion_new ();
  GtkGesture *click = gtk_gesture_click_new ();
  GtkEventController *key = gtk_event_controller_key_new ();

  g_signal_connect (motion, "enter", G_CALLBACK (on_motion), self);
  g_signal_connect (motion, "motion", G_CALLBACK (on_motion), self);
  g_signal_connect (motion, "leave", G_CALLBACK (on_leave), self);
  gtk_widget_add_controller (GTK_WIDGET (self), motion);

  gtk_gesture_single_set_button (GTK_GESTURE_SINGLE (click), GDK_BUTTON_PRIMARY);
  g_signal_connect (click, "pressed", G_CALLBACK (on_pressed), self);
  g_signal_connect (click, "released", G_CALLBACK (on_released), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (click));

  relief_plot_widget_add_scroll (GTK_WIDGET (self), G_CALLBACK (on_scroll), self);
  relief_plot_widget_add_drag (GTK_WIDGET (self), G_CALLBACK (on_drag_begin), G_CALLBACK (on_drag_update),
                               G_CALLBACK (on_drag_end), self);
  g_signal_connect (key, "key-pressed", G_CALLBACK (on_key_pressed), self);
  gtk_widget_add_controller (GTK_WIDGET (self), key);
  gtk_widget_set_focusable (GTK_WIDGET (self), TRUE);
}

/* ---- API ---- */

GtkWidget *
relief_plot_view_new (void)
{
  return g_object_new (RELIEF_TYPE_PLOT_VIEW, NULL);
}

void
relief_plot_view_set_heatmap (ReliefPlotView *self, const ReliefHeatmapSpec *spec)
{
  ReliefHeatmapSpec *h = &self->heatmap;
  gsize nx = MAX (spec->nx, 0), ny = MAX (spec->ny, 0);

  g_return_if_fail (RELIEF_IS_PLOT_VIEW (self));
  g_return_if_fail (spec != NULL);

  clear_data (self);
  *h = *spec;
  relief_plot_widget_own_labels (&h->title, &h->xlabel, &h->ylabel, &h->zlabel);
  h->xs = relief_plot_widget_copy_doubles (spec->xs, nx);
  h->ys = relief_plot_widget_copy_doubles (spec->ys, ny);
  h->z = relief_plot_widget_copy_doubles (spec->z, nx * ny);
  h->n_path = h->path_x && h->path_y ? MAX (spec->n_path, 0) : 0;
  h->path_x = relief_plot_widget_copy_doubles (spec->path_x, h->n_path);
  h->path_y = relief_plot_widget_copy_doubles (spec->path_y, h->n_path);
  h->n_paths = spec->paths ? MAX (spec->n_paths, 0) : 0;
  h->paths = copy_series (spec->paths, h->n_paths);
  self->mode = MODE_HEATMAP;
  drop_window_if_reached (self);
  invalidate (self);
}

void
relief_plot_view_reset_view (ReliefPlotView *self)
{
  g_return_if_fail (RELIEF_IS_PLOT_VIEW (self));

  g_clear_handle_id (&self->settle_id, g_source_remove);
  self->dragging = FALSE;
  self->has_window = FALSE;
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

void
relief_plot_view_set_lines (ReliefPlotView *self, const ReliefLinePlotSpec *spec)
{
  ReliefLinePlotSpec *l = &self->lines;

  g_return_if_fail (RELIEF_IS_PLOT_VIEW (self));
  g_return_if_fail (spec != NULL);

  clear_data (self);
  *l = *spec;
  relief_plot_widget_own_labels (&l->title, &l->xlabel, &l->ylabel, NULL);
  l->n_series = spec->series ? MAX (spec->n_series, 0) : 0;
  l->series = copy_series (spec->series, l->n_series);
  self->mode = MODE_LINES;
  self->has_window = FALSE;
  invalidate (self);
}

void
relief_plot_view_clear (ReliefPlotView *self, const char *placeholder_text)
{
  g_return_if_fail (RELIEF_IS_PLOT_VIEW (self));

  clear_data (self);
  end_hover (self);
  relief_plot_view_reset_view (self);
  invalidate (self);
  relief_plot_view_set_placeholder_text (self, placeholder_text);
}

gboolean
relief_plot_view_get_frame (ReliefPlotView *self, ReliefPlotFrame *frame)
{
  g_return_val_if_fail (RELIEF_IS_PLOT_VIEW (self), FALSE);

  if (!ensure_cache (self))
    return FALSE;
  *frame = view_frame (self);
  return TRUE;
}

gboolean
relief_plot_view_heatmap_value_at (ReliefPlotView *self, double x, double y, double *z)
{
  const ReliefHeatmapSpec *h = &self->heatmap;
  int i, j;

  g_return_val_if_fail (RELIEF_IS_PLOT_VIEW (self), FALSE);

  if (self->mode != MODE_HEATMAP || h->nx < 1 || h->ny < 1)
    return FALSE;
  i = nearest_index (h->xs, h->nx, x);
  j = nearest_index (h->ys, h->ny, y);
  if (i < 0 || j < 0 || isnan (h->z[(gsize) j * h->nx + i]))
    return FALSE;
  *z = h->z[(gsize) j * h->nx + i];
  return TRUE;
}

gboolean
relief_plot_view_line_value_at (ReliefPlotView *self, int s, double x, double *y)
{
  const ReliefLineSeries *series;

  g_return_val_if_fail (RELIEF_IS_PLOT_VIEW (self), FALSE);

  if (self->mode != MODE_LINES || s < 0 || s >= self->lines.n_series)
    return FALSE;
  series = &self->lines.series[s];
  for (int i = 0; i + 1 < series->n; i++)
    {
      double x0 = series->x[i], x1 = series->x[i + 1];

      if (!(x0 <= x && x <= x1))
        continue;
      /* On a point its own value, beside a gap none. */
      if (x == x0 && isfinite (series->y[i]))
        {
          *y = series->y[i];
          return TRUE;
        }
      if (x == x1 && isfinite (series->y[i + 1]))
        {
          *y = series->y[i + 1];
          return TRUE;
        }
      if (!isfinite (series->y[i]) || !isfinite (series->y[i + 1]))
        return FALSE;
      *y = x1 > x0 ? series->y[i] + (x - x0) / (x1 - x0) * (series->y[i + 1] - series->y[i]) : series->y[i + 1];
      return TRUE;
    }
  if (series->n == 1 && series->x[0] == x && isfinite (series->y[0]))
    {
      *y = series->y[0];
      return TRUE;
    }
  return FALSE;
}

const char *
relief_plot_view_get_placeholder_text (ReliefPlotView *self)
{
  g_return_val_if_fail (RELIEF_IS_PLOT_VIEW (self), NULL);

  return self->placeholder_text;
}

void
relief_plot_view_set_placeholder_text (ReliefPlotView *self, const char *text)
{
  g_return_if_fail (RELIEF_IS_PLOT_VIEW (self));

  if (g_strcmp0 (self->placeholder_text, text) == 0)
    return;
  g_free (self->placeholder_text);
  self->placeholder_text = g_strdup (text);
  if (self->mode == MODE_EMPTY)
    gtk_widget_queue_draw (GTK_WIDGET (self));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PLACEHOLDER_TEXT]);
}
