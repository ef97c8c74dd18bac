/* relief-plot-view.c: draws a heatmap or line plot through the plot core, and reports
 * the data coordinates under the pointer.
 *
 * The plot is rendered once into an image surface and reused until the data or the size
 * changes, so that hovering only repaints the image and the crosshair on top.
 */
#include "relief-plot-view.h"

#include <math.h>
#include <string.h>

/* The plot core sizes text and lines in points; on screen a point is about 1.25 pixels
 * (as matplotlib shows figures at 100 dpi or so), which keeps tick labels readable. */
#define SCREEN_ZOOM 1.25

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
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

/* ---- data ---- */

static double *
copy_doubles (const double *v, gsize n)
{
  return v && n ? g_memdup2 (v, n * sizeof (double)) : NULL;
}

static void
clear_data (ReliefPlotView *self)
{
  if (self->mode == MODE_HEATMAP)
    {
      ReliefHeatmapSpec *h = &self->heatmap;

      g_free ((char *) h->title);
      g_free ((char *) h->xlabel);
      g_free ((char *) h->ylabel);
      g_free ((char *) h->zlabel);
      g_free ((double *) h->xs);
      g_free ((double *) h->ys);
      g_free ((double *) h->z);
    }
  else if (self->mode == MODE_LINES)
    {
      ReliefLinePlotSpec *l = &self->lines;

      for (int s = 0; s < l->n_series; s++)
        {
          g_free ((char *) l->series[s].label);
          g_free ((double *) l->series[s].x);
          g_free ((double *) l->series[s].y);
        }
      g_free ((ReliefLineSeries *) l->series);
      g_free ((char *) l->title);
      g_free ((char *) l->xlabel);
      g_free ((char *) l->ylabel);
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
  cairo_scale (cr, SCREEN_ZOOM, SCREEN_ZOOM);
  if (self->mode == MODE_HEATMAP)
    relief_plot_heatmap (cr, width / SCREEN_ZOOM, height / SCREEN_ZOOM, &self->heatmap, &self->frame);
  else
    relief_plot_lines (cr, width / SCREEN_ZOOM, height / SCREEN_ZOOM, &self->lines, &self->frame);
  cairo_destroy (cr);

  self->frame.px *= SCREEN_ZOOM;
  self->frame.py *= SCREEN_ZOOM;
  self->frame.pw *= SCREEN_ZOOM;
  self->frame.ph *= SCREEN_ZOOM;
  self->frame.cbx *= SCREEN_ZOOM;
  self->frame.cby *= SCREEN_ZOOM;
  self->frame.cbw *= SCREEN_ZOOM;
  self->frame.cbh *= SCREEN_ZOOM;
  return TRUE;
}

/* The grid index nearest to v, or -1 when v is outside the grid's extent (half a unit
 * around a single point, as the plot core draws it). */
static int
nearest_index (const double *c, int n, double v)
{
  int lo = 0, hi = n - 1;

  if (c == NULL || n < 2)
    return fabs (v - (c && n == 1 ? c[0] : 0)) <= 0.5 ? 0 : -1;
  if (!(v >= c[0] && v <= c[n - 1]))
    return -1;
  while (hi - lo > 1)
    {
      int mid = (lo + hi) / 2;

      if (c[mid] <= v)
        lo = mid;
      else
        hi = mid;
    }
  return v - c[lo] <= c[hi] - v ? lo : hi;
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
  double x, y;

  if (!ensure_cache (self) || !relief_plot_frame_to_data (&self->frame, px, py, &x, &y))
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
  end_hover (self);
}

static void
on_pressed (GtkGestureClick *gesture, int n_press, double px, double py, ReliefPlotView *self)
{
  double x, y;

  if (ensure_cache (self) && relief_plot_frame_to_data (&self->frame, px, py, &x, &y))
    g_signal_emit (self, signals[CLICKED], 0, x, y);
}

/* ---- drawing ---- */

static void
draw_hover (ReliefPlotView *self, cairo_t *cr, int width, int height)
{
  const ReliefPlotFrame *f = &self->frame;
  double x, y, z, bw, bh;
  g_autofree char *text = NULL;
  cairo_text_extents_t e;

  relief_plot_frame_to_data (f, self->hover_x, self->hover_y, &x, &y);
  if (self->mode == MODE_HEATMAP && relief_plot_view_heatmap_value_at (self, x, y, &z))
    text = g_strdup_printf ("%.4g, %.4g: %.4g", x, y, z);
  else
    text = g_strdup_printf ("%.4g, %.4g", x, y);

  /* The crosshair: light over a heatmap, dark over a white plot. */
  cairo_save (cr);
  cairo_rectangle (cr, f->px, f->py, f->pw, f->ph);
  cairo_clip (cr);
  if (self->mode == MODE_HEATMAP)
    cairo_set_source_rgba (cr, 1, 1, 1, 0.7);
  else
    cairo_set_source_rgba (cr, 0, 0, 0, 0.4);
  cairo_set_line_width (cr, 1);
  cairo_move_to (cr, f->px, floor (self->hover_y) + 0.5);
  cairo_line_to (cr, f->px + f->pw, floor (self->hover_y) + 0.5);
  cairo_move_to (cr, floor (self->hover_x) + 0.5, f->py);
  cairo_line_to (cr, floor (self->hover_x) + 0.5, f->py + f->ph);
  cairo_stroke (cr);
  cairo_restore (cr);

  /* The label box beside the cursor, flipped to stay inside the widget. */
  cairo_save (cr);
  cairo_select_font_face (cr, "Sans", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_NORMAL);
  cairo_set_font_size (cr, 11);
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

  gtk_widget_class_set_css_name (widget_class, "reliefplotview");
}

static void
relief_plot_view_init (ReliefPlotView *self)
{
  GtkEventController *motion = gtk_event_controller_motion_new ();
  GtkGesture *click = gtk_gesture_click_new ();

  g_signal_connect (motion, "enter", G_CALLBACK (on_motion), self);
  g_signal_connect (motion, "motion", G_CALLBACK (on_motion), self);
  g_signal_connect (motion, "leave", G_CALLBACK (on_leave), self);
  gtk_widget_add_controller (GTK_WIDGET (self), motion);

  gtk_gesture_single_set_button (GTK_GESTURE_SINGLE (click), GDK_BUTTON_PRIMARY);
  g_signal_connect (click, "pressed", G_CALLBACK (on_pressed), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (click));
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
  h->title = g_strdup (spec->title);
  h->xlabel = g_strdup (spec->xlabel);
  h->ylabel = g_strdup (spec->ylabel);
  h->zlabel = g_strdup (spec->zlabel);
  h->xs = copy_doubles (spec->xs, nx);
  h->ys = copy_doubles (spec->ys, ny);
  h->z = copy_doubles (spec->z, nx * ny);
  self->mode = MODE_HEATMAP;
  invalidate (self);
}

void
relief_plot_view_set_lines (ReliefPlotView *self, const ReliefLinePlotSpec *spec)
{
  ReliefLinePlotSpec *l = &self->lines;
  ReliefLineSeries *series;

  g_return_if_fail (RELIEF_IS_PLOT_VIEW (self));
  g_return_if_fail (spec != NULL);

  clear_data (self);
  *l = *spec;
  l->title = g_strdup (spec->title);
  l->xlabel = g_strdup (spec->xlabel);
  l->ylabel = g_strdup (spec->ylabel);
  l->n_series = MAX (spec->n_series, 0);
  series = g_new0 (ReliefLineSeries, MAX (l->n_series, 1));
  for (int s = 0; s < l->n_series; s++)
    {
      series[s] = spec->series[s];
      series[s].label = g_strdup (spec->series[s].label);
      series[s].x = copy_doubles (spec->series[s].x, MAX (spec->series[s].n, 0));
      series[s].y = copy_doubles (spec->series[s].y, MAX (spec->series[s].n, 0));
    }
  l->series = series;
  self->mode = MODE_LINES;
  invalidate (self);
}

void
relief_plot_view_clear (ReliefPlotView *self, const char *placeholder_text)
{
  g_return_if_fail (RELIEF_IS_PLOT_VIEW (self));

  clear_data (self);
  end_hover (self);
  invalidate (self);
  relief_plot_view_set_placeholder_text (self, placeholder_text);
}

gboolean
relief_plot_view_get_frame (ReliefPlotView *self, ReliefPlotFrame *frame)
{
  g_return_val_if_fail (RELIEF_IS_PLOT_VIEW (self), FALSE);

  if (!ensure_cache (self))
    return FALSE;
  *frame = self->frame;
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
