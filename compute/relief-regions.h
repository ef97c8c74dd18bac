/* relief-regions.h: the exact linear-region partition of a piecewise-linear MLP
 * (relu, leaky_relu) over a plane of its input space, and the local complexity of
 * Humayun, Balestriero and Baraniuk (2024, "Deep Networks Always Grok") for any MLP.
 *
 * The plane: x(u, v) = origin + u * du + v * dv in input space.  For a 2-input model the
 * input plane itself is origin = 0, du = e0, dv = e1 and (u, v) are the inputs; for a
 * model of more inputs, the plane through three samples: origin = x0, du = x1 - x0,
 * dv = x2 - x0.  The partition covers the rectangle [umin, umax] x [vmin, vmax]. */
#pragma once

#include <gio/gio.h>
#include "relief-backend.h"
#include "relief-mlp.h"

G_BEGIN_DECLS

typedef struct {
  int     n_inputs;          /* D */
  double *origin;            /* [D] */
  double *du, *dv;           /* [D] each */
  double  umin, umax, vmin, vmax;
} ReliefPlane;

/* The input plane of a 2-input model over the rectangle. */
ReliefPlane *relief_plane_new_input (double umin, double umax, double vmin, double vmax);
/* The plane through three points of a D-input model (x0 at (0,0), x1 at (1,0), x2 at
 * (0,1)); fails when the three are collinear (a clear message). */
ReliefPlane *relief_plane_new_through (int n_inputs, const float *x0, const float *x1, const float *x2,
                                       double umin, double umax, double vmin, double vmax, GError **error);
ReliefPlane *relief_plane_copy (const ReliefPlane *plane);
void         relief_plane_free (ReliefPlane *plane);

typedef struct {
  int      n_regions;          /* R */
  gsize    n_vertices;         /* V: shared vertices merged */
  double  *vertices;           /* [V, 2] in plane coordinates (u, v) */
  gint64  *polygon_offsets;    /* [R + 1]: polygon r is vertex indices polygon_vertices[off[r] .. off[r+1]-1] */
  gint64  *polygon_vertices;   /* indices into vertices, counter-clockwise, convex */
  int      n_hidden;           /* H: hidden neurons over all hidden layers, layer order */
  int      pattern_bytes;      /* ceil(H / 8) */
  guint8  *patterns;           /* [R, pattern_bytes]: neuron j is bit 7 - j % 8 of byte j / 8, set when its
                                * pre-activation is positive (numpy.packbits' order) */
  int      n_outputs;          /* K */
  double  *affine;             /* [R, K, 3]: logit k on region r = a u + b v + c */
  gint32  *predicted;          /* [R]: the argmax class on the region's centroid */
  int     *n_active;           /* [R]: number of set bits of the pattern */
  gsize    n_boundary;         /* decision-boundary segments */
  double  *boundary;           /* [n_boundary, 4]: u0 v0 u1 v1, where the argmax changes */
} ReliefRegions;

/* Computes the partition of the plane's rectangle for params_host (the flat parameters of
 * spec, float32 as trained; the arithmetic is float64).  Fails with a clear message for tanh
 * and gelu networks (no linear regions), for a plane whose n_inputs differs from the
 * model's, and when max_regions would be exceeded (0: as many as half of the machine's
 * memory holds, G_IO_ERROR_NO_SPACE past them); honours cancellable between layers and
 * every 256 polygons within one.  Sign tests take a vertex within
 * 1e-9 (relative to the rectangle's largest coordinate and the neuron's coefficients) of
 * a zero line as on it, so no region is thinner than that; vertices closer than 1e-11 of
 * that scale are merged.  The boundary holds, per region, the pieces of the lines where
 * its top two logits tie; where a tie runs along an edge between two regions (a
 * degenerate network) both regions give that piece. */
ReliefRegions *relief_regions_compute (const ReliefMlpSpec *spec, const float *params_host, const ReliefPlane *plane,
                                       gsize max_regions, GCancellable *cancellable, GError **error);
void           relief_regions_free (ReliefRegions *regions);
/* The region containing plane point (u, v), -1 outside the rectangle. */
int            relief_regions_find (const ReliefRegions *regions, double u, double v);
double         relief_regions_polygon_area (const ReliefRegions *regions, int r);

/* Local complexity: for each of n points x_i (host, [n, D]), the number of neurons whose
 * pre-activation changes sign over the vertices x_i +- radius * v_p of the cross-polytope
 * spanned by n_dirs orthonormal directions v_p (n_dirs <= D; n_dirs = 0 means all 2D
 * vertices, i.e. n_dirs = D; the directions drawn from seed, the same for every call with
 * the same seed and D).  Counts every linear layer's outputs, the logits included, as the
 * paper does; per_layer_out (may be NULL) receives [n, n_layers] counts, total_out [n].
 * Runs in batches on backend, for every activation; non-finite parameters (a diverged
 * network) are an error, not a count of 0. */
gboolean relief_local_complexity (ReliefBackend *backend, const ReliefMlpSpec *spec, const float *params_host,
                                  const float *points, int n, double radius, int n_dirs, guint64 seed,
                                  int *per_layer_out, int *total_out, GError **error);

/* The n_dirs orthonormal directions [n_dirs, n_inputs] of relief_local_complexity for seed:
 * Gram-Schmidt on standard normal draws of relief-rng. */
void           relief_local_complexity_directions (int n_inputs, int n_dirs, guint64 seed, double *dirs);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ReliefPlane, relief_plane_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ReliefRegions, relief_regions_free)

G_END_DECLS
