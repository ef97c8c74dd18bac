/* relief-surface-view.c: relief_plot_surface3d on screen.  Dragging turns the box
 * (horizontal motion the azimuth, vertical the elevation), scrolling zooms. */
#include "relief-surface-view.h"
#include "relief-plot-widget.h"

#include <math.h>
#include <string.h>

/* Degrees of rotation per pixel of drag: half a turn across a typical widget. */
#define DEGREES_PER_PIXEL 0.4
#define ZOOM_STEP 1.1
#define ZOOM_MIN 0.25
#define ZOOM_MAX 4.0

struct _ReliefSurfaceView {
  GtkWidget parent_instance;

  /* owned copy of the data; the const pointers inside point to memory we own */
  gboolean            has_data;
  ReliefSurface3DSpec spec;

  double              azimuth, elevation, zoom;
  double              drag_azimuth, drag_elevation;   /* at the start of a drag */
};

G_DEFINE_FINAL_TYPE (ReliefSurfaceView, relief_surface_view, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_AZIMUTH,
  PROP_ELEVATION,
  PROP_ZOOM,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
clear_data (ReliefSurfaceView *self)
{
  ReliefSurface3DSpec *s = &self->spec;

  relief_plot_widget_free_labels (s->title, s->xlabel, s->ylabel, s->zlabel);
  g_free ((double *) s->xs);
  g_free ((double *) s->ys);
  g_free ((double *) s->z);
  g_free ((double *) s->path_x);
  g_free ((double *) s->path_y);
  g_free ((double *) s->path_z);
  memset (s, 0, sizeof *s);
  self->has_data = FALSE;
}

/* ---- interaction ---- */

static void
on_drag_begin (GtkGestureDrag *gesture, double x, double y, ReliefSurfaceView *self)
{
  self->drag_azimuth = self->azimuth;
  self->drag_elevation = self->elevation;
}

/* The box follows the pointer: dragging right turns its front to the right, dragging
 * down tips its top towards the viewer. */
static void
on_drag_update (GtkGestureDrag *gesture, double ox, double oy, ReliefSurfaceView *self)
{
  relief_surface_view_set_azimuth (self, self->drag_azimuth - ox * DEGREES_PER_PIXEL);
  relief_surface_view_set_elevation (self, self->drag_elevation + oy * DEGREES_PER_PIXEL);
}

static gboolean
on_scroll (GtkEventControllerScroll *controller, double dx, double dy, ReliefSurfaceView *self)
{
  if (dy == 0)
    return FALSE;
  relief_surface_view_set_zoom (self, self->zoom * pow (ZOOM_STEP, -CLAMP (dy, -5, 5)));
  return TRUE;
}

/* ---- drawing ---- */

static void
relief_surface_view_snapshot (GtkWidget *widget, GtkSnapshot *snapshot)
{
  ReliefSurfaceView *self = RELIEF_SURFACE_VIEW (widget);
  int width = gtk_widget_get_width (widget), height = gtk_widget_get_height (widget);
  cairo_t *cr;

  if (!self->has_data || width <= 0 || height <= 0)
    return;
  self->spec.azimuth = self->azimuth;
  self->spec.elevation = self->elevation;
  self->spec.zoom = self->zoom;
  cr = gtk_snapshot_append_cairo (snapshot, &GRAPHENE_RECT_INIT (0, 0, width, height));
  cairo_scale (cr, RELIEF_SCREEN_ZOOM, RELIEF_SCREEN_ZOOM);
  relief_plot_surface3d (cr, width / RELIEF_SCREEN_ZOOM, height / RELIEF_SCREEN_ZOOM, &self->spec);
  cairo_destroy (cr);
}

static void
relief_surface_view_measure (GtkWidget *widget, GtkOrientation orientation, int for_size,
                             int *minimum, int *natural, int *minimum_baseline, int *natural_baseline)
{
  gboolean horizontal = orientation == GTK_ORIENTATION_HORIZONTAL;

  *minimum = horizontal ? 240 : 180;
  *natural = horizontal ? 480 : 360;
}

/* ---- GObject ---- */

static void
relief_surface_view_finalize (GObject *object)
{
  clear_data (RELIEF_SURFACE_VIEW (object));
  G_OBJECT_CLASS (relief_surface_view_parent_class)->finalize (object);
}

static void
relief_surface_view_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  ReliefSurfaceView *self = RELIEF_SURFACE_VIEW (object);

  switch (prop_id)
    {
    case PROP_AZIMUTH:
      g_value_set_double (value, self->azimuth);
      break;
    case PROP_ELEVATION:
      g_value_set_double (value, self->elevation);
      break;
    case PROP_ZOOM:
      g_value_set_double (value, self->zoom);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
relief_surface_view_set_property (GObject *object, guint prop_id, const GValue *value, GParamSpec *pspec)
{
  ReliefSurfaceView *self = RELIEF_SURFACE_VIEW (object);

  switch (prop_id)
    {
    case PROP_AZIMUTH:
      relief_surface_view_set_azimuth (self, g_value_get_double (value));
      break;
    case PROP_ELEVATION:
      relief_surface_view_set_elevation (self, g_value_get_double (value));
      break;
    case PROP_ZOOM:
      relief_surface_view_set_zoom (self, g_value_get_double (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
relief_surface_view_class_init (ReliefSurfaceViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->finalize = relief_surface_view_finalize;
  object_class->get_property = relief_surface_view_get_property;
  object_class->set_property = relief_surface_view_set_property;
  widget_class->snapshot = relief_surface_view_snapshot;
  widget_class->measure = relief_surface_view_measure;

  properties[PROP_AZIMUTH] =
    g_param_spec_double ("azimuth", NULL, NULL, -G_MAXDOUBLE, G_MAXDOUBLE, RELIEF_SURFACE3D_AZIMUTH,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_ELEVATION] =
    g_param_spec_double ("elevation", NULL, NULL, -90, 90, RELIEF_SURFACE3D_ELEVATION,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_ZOOM] =
    g_param_spec_double ("zoom", NULL, NULL, ZOOM_MIN, ZOOM_MAX, 1,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_css_name (widget_class, "reliefsurfaceview");
}

static void
relief_surface_view_init (ReliefSurfaceView *self)
{
  self->azimuth = RELIEF_SURFACE3D_AZIMUTH;
  self->elevation = RELIEF_SURFACE3D_ELEVATION;
  self->zoom = 1;

  relief_plot_widget_add_drag (GTK_WIDGET (self), G_CALLBACK (on_drag_begin), G_CALLBACK (on_drag_update), NULL,
                               self);
  relief_plot_widget_add_scroll (GTK_WIDGET (self), G_CALLBACK (on_scroll), self);
}

/* ---- API ---- */

GtkWidget *
relief_surface_view_new (void)
{
  return g_object_new (RELIEF_TYPE_SURFACE_VIEW, NULL);
}

void
relief_surface_view_set_data (ReliefSurfaceView *self, const ReliefSurface3DSpec *spec)
{
  ReliefSurface3DSpec *s = &self->spec;
  gsize nx, ny, n_path;

  g_return_if_fail (RELIEF_IS_SURFACE_VIEW (self));
  g_return_if_fail (spec != NULL);

  clear_data (self);
  nx = MAX (spec->nx, 0);
  ny = MAX (spec->ny, 0);
  n_path = spec->path_x && spec->path_y ? MAX (spec->n_path, 0) : 0;
  *s = *spec;
  relief_plot_widget_own_labels (&s->title, &s->xlabel, &s->ylabel, &s->zlabel);
  s->xs = relief_plot_widget_copy_doubles (spec->xs, nx);
  s->ys = relief_plot_widget_copy_doubles (spec->ys, ny);
  s->z = relief_plot_widget_copy_doubles (spec->z, nx * ny);
  s->n_path = n_path;
  s->path_x = relief_plot_widget_copy_doubles (spec->path_x, n_path);
  s->path_y = relief_plot_widget_copy_doubles (spec->path_y, n_path);
  s->path_z = relief_plot_widget_copy_doubles (spec->path_z, n_path);
  self->has_data = TRUE;
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

void
relief_surface_view_clear (ReliefSurfaceView *self)
{
  g_return_if_fail (RELIEF_IS_SURFACE_VIEW (self));

  clear_data (self);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

void
relief_surface_view_set_path_marker (ReliefSurfaceView *self, int index)
{
  g_return_if_fail (RELIEF_IS_SURFACE_VIEW (self));

  self->spec.path_marker = index;
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

/* Stores value, already wrapped or clamped, in the angle or zoom that prop_id names. */
static void
store_view_value (ReliefSurfaceView *self, double *field, double value, int prop_id)
{
  if (value == *field)
    return;
  *field = value;
  gtk_widget_queue_draw (GTK_WIDGET (self));
  g_object_notify_by_pspec (G_OBJECT (self), properties[prop_id]);
}

double
relief_surface_view_get_azimuth (ReliefSurfaceView *self)
{
  g_return_val_if_fail (RELIEF_IS_SURFACE_VIEW (self), 0);

  return self->azimuth;
}

void
relief_surface_view_set_azimuth (ReliefSurfaceView *self, double azimuth)
{
  g_return_if_fail (RELIEF_IS_SURFACE_VIEW (self));

  if (!isfinite (azimuth))
    return;
  azimuth = fmod (azimuth, 360);
  if (azimuth > 180)
    azimuth -= 360;
  else if (azimuth <= -180)
    azimuth += 360;
  store_view_value (self, &self->azimuth, azimuth, PROP_AZIMUTH);
}

double
relief_surface_view_get_elevation (ReliefSurfaceView *self)
{
  g_return_val_if_fail (RELIEF_IS_SURFACE_VIEW (self), 0);

  return self->elevation;
}

void
relief_surface_view_set_elevation (ReliefSurfaceView *self, double elevation)
{
  g_return_if_fail (RELIEF_IS_SURFACE_VIEW (self));

  if (isfinite (elevation))
    store_view_value (self, &self->elevation, CLAMP (elevation, -90, 90), PROP_ELEVATION);
}

double
relief_surface_view_get_zoom (ReliefSurfaceView *self)
{
  g_return_val_if_fail (RELIEF_IS_SURFACE_VIEW (self), 1);

  return self->zoom;
}

void
relief_surface_view_set_zoom (ReliefSurfaceView *self, double zoom)
{
  g_return_if_fail (RELIEF_IS_SURFACE_VIEW (self));

  if (isfinite (zoom))
    store_view_value (self, &self->zoom, CLAMP (zoom, ZOOM_MIN, ZOOM_MAX), PROP_ZOOM);
}
