/* relief-surface-view.h: a surface in 3D on screen; drag to rotate, scroll to zoom. */
#pragma once

#include <gtk/gtk.h>

#include "relief-plot.h"

G_BEGIN_DECLS

#define RELIEF_TYPE_SURFACE_VIEW (relief_surface_view_get_type ())
G_DECLARE_FINAL_TYPE (ReliefSurfaceView, relief_surface_view, RELIEF, SURFACE_VIEW, GtkWidget)

GtkWidget *relief_surface_view_new (void);
/* Deep-copies the arrays and strings of spec.  The view angles and zoom are the widget's
 * properties: those of spec are ignored. */
void       relief_surface_view_set_data (ReliefSurfaceView *self, const ReliefSurface3DSpec *spec);
void       relief_surface_view_clear    (ReliefSurfaceView *self);
/* Moves the highlighted path point (the scrubber's), -1 none, without copying the data. */
void       relief_surface_view_set_path_marker (ReliefSurfaceView *self, int index);

/* Degrees; the azimuth wraps into (-180, 180], the elevation is clamped to [-90, 90]. */
double     relief_surface_view_get_azimuth   (ReliefSurfaceView *self);
void       relief_surface_view_set_azimuth   (ReliefSurfaceView *self, double azimuth);
double     relief_surface_view_get_elevation (ReliefSurfaceView *self);
void       relief_surface_view_set_elevation (ReliefSurfaceView *self, double elevation);
/* 1: the box fills the widget; clamped to [0.25, 4]. */
double     relief_surface_view_get_zoom      (ReliefSurfaceView *self);
void       relief_surface_view_set_zoom      (ReliefSurfaceView *self, double zoom);

G_END_DECLS
