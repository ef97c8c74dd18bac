/* relief-regions.c: the exact linear regions of a relu or leaky_relu MLP over a plane, and
 * local complexity on a backend.
 *
 * The partition goes layer by layer.  Every polygon carries the affine map from the plane
 * (u, v) to the current layer's pre-activations, stored [3][n] (the u coefficients, the v
 * coefficients, the constants of the layer's n neurons).  Splitting a polygon along a
 * neuron's zero line leaves that map unchanged (it depends on the earlier layers only), so
 * within a layer a polygon only points at its ancestor's map.  Each polygon meets the
 * layer's neurons depth first (its pieces follow it on a stack) while that map is in cache;
 * after the layer, the activation pattern at each polygon's centroid gives the next
 * layer's map, updated from the previous polygon's by the few neurons whose sign differs
 * rather than made anew (a product of the layer's weights) for each.  Vertices live in
 * one growable arena (no allocation per polygon); the shared ones are merged at the end
 * by a hash on their quantized coordinates. */
#include "relief-regions.h"
#include "relief-rng.h"

#include <gio/gio.h>
#include <glib/gi18n-lib.h>
#include <math.h>
#include <string.h>
#include <unistd.h>

/* A vertex where |a u + b v + c| <= SPLIT_TOL * ((|a| + |b|) * scale + |c|) lies on the zero
 * line a u + b v + c = 0 (scale: the rectangle's largest coordinate); so a polygon is only cut where it
 * reaches at least SPLIT_TOL * scale beyond the line, and no sliver is thinner.  Vertices
 * closer than MERGE_TOL * scale are one. */
#define SPLIT_TOL 1e-9
#define MERGE_TOL 1e-11
/* A side of the rectangle shorter than MIN_SIDE * scale is below what the tolerances can
 * tell apart: its polygons would merge into nothing. */
#define MIN_SIDE 1e-9
/* A neuron varies over the rectangle by less than NOISE_TOL of the largest in its layer
 * only through rounding (coefficients that cancel in exact arithmetic): it cuts nothing,
 * and every sign test allows that much. */
#define NOISE_TOL 1e-13
/* Polygons between two looks at the cancellable within a layer. */
#define CANCEL_EVERY 256
/* Next-layer maps updated from the previous polygon's at most this many times in a row. */
#define REFRESH_EVERY 64
/* Rows per forward pass of local complexity. */
#define LC_ROWS 8192

ReliefPlane *
relief_plane_new_input (double umin, double umax, double vmin, double vmax)
{
  ReliefPlane *plane = g_new0 (ReliefPlane, 1);

  plane->n_inputs = 2;
  plane->origin = g_new0 (double, 2);
  plane->du = g_new0 (double, 2);
  plane->dv = g_new0 (double, 2);
  plane->du[0] = 1;
  plane->dv[1] = 1;
  plane->umin = umin;
  plane->umax = umax;
  plane->vmin = vmin;
  plane->vmax = vmax;
  return plane;
}

ReliefPlane *
relief_plane_new_through (int n_inputs, const float *x0, const float *x1, const float *x2,
                          double umin, double umax, double vmin, double vmax, GError **error)
{
  g_autoptr(ReliefPlane) plane = NULL;
  double uu = 0, vv = 0, uv = 0;

  if (n_inputs < 1)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _("A plane needs an input space of at least one dimension (got %d)"), n_inputs);
      return NULL;
    }
  plane = g_new0 (ReliefPlane, 1);
  plane->n_inputs = n_inputs;
  plane->origin = g_new (double, n_inputs);
  plane->du = g_new (double, n_inputs);
  plane->dv = g_new (double, n_inputs);
  for (int i = 0; i < n_inputs; i++)
    {
      plane->origin[i] = x0[i];
      plane->du[i] = (double) x1[i] - x0[i];
      plane->dv[i] = (double) x2[i] - x0[i];
      uu += plane->du[i] * plane->du[i];
      vv += plane->dv[i] * plane->dv[i];
      uv += plane->du[i] * plane->dv[i];
    }
  /* Collinear (or coincident) points span no plane: the Gram determinant vanishes. */
  if (!(uu * vv - uv * uv > 1e-12 * uu * vv) || uu == 0 || vv == 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _("The three points are collinear, so they span no plane; choose three that are not"));
      return NULL;
    }
  plane->umin = umin;
  plane->umax = umax;
  plane->vmin = vmin;
  plane->vmax = vmax;
  return g_steal_pointer (&plane);
}

ReliefPlane *
relief_plane_copy (const ReliefPlane *plane)
{
  ReliefPlane *copy = g_memdup2 (plane, sizeof *plane);

  copy->origin = g_memdup2 (plane->origin, sizeof (double) * plane->n_inputs);
  copy->du = g_memdup2 (plane->du, sizeof (double) * plane->n_inputs);
  copy->dv = g_memdup2 (plane->dv, sizeof (double) * plane->n_inputs);
  return copy;
}

void
relief_plane_free (ReliefPlane *plane)
{
  if (plane == NULL)
    return;
  g_free (plane->origin);
  g_free (plane->du);
  g_free (plane->dv);
  g_free (plane);
}

void
relief_regions_free (ReliefRegions *regions)
{
  if (regions == NULL)
    return;
  g_free (regions->vertices);
  g_free (regions->polygon_offsets);
  g_free (regions->polygon_vertices);
  g_free (regions->patterns);
  g_free (regions->affine);
  g_free (regions->predicted);
  g_free (regions->n_active);
  g_free (regions->boundary);
  g_free (regions);
}

/* Grows *buf (of *cap elements of size elem) to hold at least need elements. */
static void
grow (gpointer *buf, gsize *cap, gsize need, gsize elem)
{
  gsize c = *cap;

  if (need <= c)
    return;
  c = MAX (c, 16);
  while (c < need)
    c *= 2;
  *buf = g_realloc_n (*buf, c, elem);
  *cap = c;
}

#define GROW(ptr, cap, need) grow ((gpointer *) &(ptr), &(cap), (need), sizeof *(ptr))

typedef struct {
  gsize off;   /* first vertex in the arena */
  int   n;     /* vertices, counter-clockwise */
  int   map;   /* the polygon whose pre-activation map this layer uses */
} Poly;

typedef struct {
  Poly   *polys;
  gsize   n_polys, cap_polys;
  double *xy;         /* vertex arena, (u, v) pairs */
  gsize   n_xy, cap_xy;
  guint8 *pat;        /* [cap_polys, pattern_bytes] */
  gsize   cap_pat;
  int     pattern_bytes;
  gsize   max_regions;
  double  scale;
  /* one polygon's split, before it goes into the arena */
  double *scratch;
  gsize   cap_scratch;
  double *s;
  int    *cls;
  gsize   cap_s;
} Builder;

static void
builder_clear (Builder *b)
{
  g_free (b->polys);
  g_free (b->xy);
  g_free (b->pat);
  g_free (b->scratch);
  g_free (b->s);
  g_free (b->cls);
}

static gsize
builder_append_vertices (Builder *b, const double *xy, int n)
{
  gsize off = b->n_xy;

  GROW (b->xy, b->cap_xy, 2 * (b->n_xy + n));
  memcpy (b->xy + 2 * off, xy, sizeof (double) * 2 * n);
  b->n_xy += n;
  return off;
}

/* The point where edge p-q crosses the line, computed from the endpoints in a fixed order
 * so that two polygons sharing the edge make the same point. */
static void
crossing (const double *p, double sp, const double *q, double sq, double *out)
{
  double t;

  if (p[0] > q[0] || (p[0] == q[0] && p[1] > q[1]))
    {
      const double *tp = p;
      double ts = sp;

      p = q, q = tp;
      sp = sq, sq = ts;
    }
  t = sp / (sp - sq);
  out[0] = p[0] + t * (q[0] - p[0]);
  out[1] = p[1] + t * (q[1] - p[1]);
}

/* Splits polygon i along a u + b v + c = 0 when it has vertices strictly on both sides;
 * the part where the function is positive keeps index i, the other is appended.  FALSE
 * when the appended one would exceed max_regions. */
static gboolean
split_polygon (Builder *b, gsize i, double a, double bb, double c, double tol)
{
  Poly *poly = &b->polys[i];
  int n = poly->n, n_pos = 0, n_neg = 0, np = 0, nn = 0;
  const double *v;
  double *pos, *neg;

  if ((gsize) n > b->cap_s)
    {
      b->cap_s = MAX ((gsize) n, 2 * b->cap_s);
      b->s = g_renew (double, b->s, b->cap_s);
      b->cls = g_renew (int, b->cls, b->cap_s);
    }
  v = b->xy + 2 * poly->off;
  for (int k = 0; k < n; k++)
    {
      double s = a * v[2 * k] + bb * v[2 * k + 1] + c;

      b->s[k] = s;
      b->cls[k] = s > tol ? 1 : s < -tol ? -1 : 0;
      n_pos += b->cls[k] > 0;
      n_neg += b->cls[k] < 0;
    }
  if (n_pos == 0 || n_neg == 0)
    return TRUE;
  if (b->max_regions > 0 && b->n_polys + 1 > b->max_regions)
    return FALSE;

  /* Each child has at most all the vertices and two crossings. */
  GROW (b->scratch, b->cap_scratch, 4 * ((gsize) n + 2));
  pos = b->scratch;
  neg = b->scratch + 2 * (n + 2);
  for (int k = 0; k < n; k++)
    {
      int kn = (k + 1) % n;

      if (b->cls[k] >= 0)
        {
          pos[2 * np] = v[2 * k], pos[2 * np + 1] = v[2 * k + 1];
          np++;
        }
      if (b->cls[k] <= 0)
        {
          neg[2 * nn] = v[2 * k], neg[2 * nn + 1] = v[2 * k + 1];
          nn++;
        }
      if (b->cls[k] * b->cls[kn] < 0)
        {
          double x[2];

          crossing (v + 2 * k, b->s[k], v + 2 * kn, b->s[kn], x);
          pos[2 * np] = x[0], pos[2 * np + 1] = x[1];
          neg[2 * nn] = x[0], neg[2 * nn + 1] = x[1];
          np++, nn++;
        }
    }

  GROW (b->polys, b->cap_polys, b->n_polys + 1);
  GROW (b->pat, b->cap_pat, (b->n_polys + 1) * b->pattern_bytes);
  poly = &b->polys[i];
  b->polys[b->n_polys].map = poly->map;
  poly->off = builder_append_vertices (b, pos, np);
  poly->n = np;
  b->polys[b->n_polys].off = builder_append_vertices (b, neg, nn);
  b->polys[b->n_polys].n = nn;
  memcpy (b->pat + b->n_polys * b->pattern_bytes, b->pat + i * b->pattern_bytes, b->pattern_bytes);
  b->n_polys++;
  return TRUE;
}

/* The vertex average: inside a convex polygon. */
static void
poly_center (const Builder *b, const Poly *poly, double *u, double *v)
{
  const double *xy = b->xy + 2 * poly->off;
  double su = 0, sv = 0;

  for (int k = 0; k < poly->n; k++)
    su += xy[2 * k], sv += xy[2 * k + 1];
  *u = su / poly->n;
  *v = sv / poly->n;
}

/* Drops the vertices that no polygon uses any more and makes every polygon its own map. */
static void
builder_compact (Builder *b)
{
  gsize total = 0, at = 0;
  double *xy;

  for (gsize i = 0; i < b->n_polys; i++)
    total += b->polys[i].n;
  xy = g_new (double, 2 * MAX (total, 1));
  for (gsize i = 0; i < b->n_polys; i++)
    {
      memcpy (xy + 2 * at, b->xy + 2 * b->polys[i].off, sizeof (double) * 2 * b->polys[i].n);
      b->polys[i].off = at;
      at += b->polys[i].n;
    }
  g_free (b->xy);
  b->xy = xy;
  b->cap_xy = MAX (total, 1);
  b->n_xy = total;
}

typedef struct {
  gsize poly;
  int   start;   /* the first neuron of the layer still to meet */
} Pending;

/* z[c][o] += (a, b, c)[c] * row[o] for the three coefficient rows of a map [3][n]. */
static inline void
add_row (double *z, int n, const double *row, double a, double b, double c)
{
  for (int o = 0; o < n; o++)
    {
      z[o] += a * row[o];
      z[n + o] += b * row[o];
      z[2 * n + o] += c * row[o];
    }
}

static void
poly_box (const Builder *b, gsize i, double *cu, double *cv, double *hu, double *hv)
{
  const Poly *poly = &b->polys[i];
  const double *xy = b->xy + 2 * poly->off;
  double lu = xy[0], uu = xy[0], lv = xy[1], uv = xy[1];

  for (int k = 1; k < poly->n; k++)
    {
      lu = MIN (lu, xy[2 * k]), uu = MAX (uu, xy[2 * k]);
      lv = MIN (lv, xy[2 * k + 1]), uv = MAX (uv, xy[2 * k + 1]);
    }
  *cu = 0.5 * (lu + uu), *cv = 0.5 * (lv + uv);
  *hu = 0.5 * (uu - lu), *hv = 0.5 * (uv - lv);
}

/* NOISE_TOL of the largest of n affine functions over the rectangle; map m [3][n]. */
static double
noise_floor (const double *m, int n, double scale)
{
  double largest = 0;

  for (int j = 0; j < n; j++)
    largest = MAX (largest, (fabs (m[j]) + fabs (m[n + j])) * scale + fabs (m[2 * n + j]));
  return NOISE_TOL * largest;
}

/* Cuts polygon k by the layer's neurons start .. n-1 (map m, [3][n]; noise: its noise
 * floor): it keeps the positive side of each cut, the negative sides wait on the stack for
 * the neurons after the one that cut them.  FALSE past max_regions. */
static gboolean
cut_by_layer (Builder *b, gsize k, int start, int n, const double *m, double noise, Pending **stack,
              gsize *n_stack, gsize *cap_stack)
{
  double cu, cv, hu, hv;

  poly_box (b, k, &cu, &cv, &hu, &hv);
  for (int j = start; j < n; j++)
    {
      double a = m[j], bb = m[n + j], c = m[2 * n + j];
      double tol = SPLIT_TOL * ((fabs (a) + fabs (bb)) * b->scale + fabs (c)) + noise;
      gsize before = b->n_polys;

      /* A neuron constant over the plane (to rounding) cuts nothing; nor does one whose
       * line misses the polygon's bounding box. */
      if ((fabs (a) + fabs (bb)) * b->scale <= noise ||
          fabs (a * cu + bb * cv + c) - (fabs (a) * hu + fabs (bb) * hv) > tol)
        continue;
      if (!split_polygon (b, k, a, bb, c, tol))
        return FALSE;
      if (b->n_polys > before)
        {
          GROW (*stack, *cap_stack, *n_stack + 1);
          (*stack)[*n_stack].poly = before;
          (*stack)[*n_stack].start = j + 1;
          (*n_stack)++;
          poly_box (b, k, &cu, &cv, &hu, &hv);
        }
    }
  return TRUE;
}

static gboolean
check_piecewise_linear (const ReliefMlpSpec *spec, GError **error)
{
  if (spec->activation == RELIEF_ACT_RELU || spec->activation == RELIEF_ACT_LEAKY_RELU)
    return TRUE;
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
               _("This network uses %s, which is not piecewise linear, so it has no linear regions; "
                 "only relu and leaky_relu networks do (local complexity works for every activation)"),
               spec->activation == RELIEF_ACT_TANH ? "tanh" : "gelu");
  return FALSE;
}

/* A network whose training diverged (a non-finite parameter) has no what. */
static gboolean
check_finite_params (const ReliefMlpSpec *spec, const float *params, const char *what, GError **error)
{
  gsize n_params = relief_mlp_spec_n_params (spec);

  for (gsize i = 0; i < n_params; i++)
    if (!isfinite (params[i]))
      {
        g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                     _("The network’s parameters are not finite (parameter %" G_GSIZE_FORMAT " is %g): training "
                       "diverged at this checkpoint, so it has no %s"), i, (double) params[i], what);
        return FALSE;
      }
  return TRUE;
}

static gboolean
check_spec (const ReliefMlpSpec *spec, GError **error)
{
  if (spec->n_layers < 1)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, _("The network has no layers"));
      return FALSE;
    }
  for (int l = 0; l <= spec->n_layers; l++)
    if (spec->sizes[l] < 1)
      {
        g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                     _("Layer width %d is %d; every width must be at least 1"), l, spec->sizes[l]);
        return FALSE;
      }
  if ((guint) spec->activation > RELIEF_ACT_GELU)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, _("Unknown activation in the MLP spec"));
      return FALSE;
    }
  return TRUE;
}

/* Vertex merging: a hash from quantized (u, v) cells to chains of vertex indices. */
typedef struct {
  gint64 *keys;     /* [cap, 2] cell coordinates */
  gint64 *heads;    /* [cap]: first vertex of the cell's chain, -1 for an empty slot */
  gint64 *next;     /* [vertices]: the chain */
  gsize   cap;
  double  cell;
} VertexHash;

static guint64
cell_hash (gint64 x, gint64 y)
{
  guint64 h = (guint64) x * 0x9E3779B97F4A7C15ull ^ ((guint64) y + 0x632BE59BD9B4E019ull) * 0xC2B2AE3D27D4EB4Full;

  return h ^ (h >> 29);
}

static gint64 *
cell_slot (VertexHash *vh, gint64 x, gint64 y, gboolean insert)
{
  gsize mask = vh->cap - 1;

  for (gsize at = cell_hash (x, y) & mask;; at = (at + 1) & mask)
    {
      if (vh->heads[at] < 0)
        {
          if (!insert)
            return NULL;
          vh->keys[2 * at] = x, vh->keys[2 * at + 1] = y;
          return &vh->heads[at];
        }
      if (vh->keys[2 * at] == x && vh->keys[2 * at + 1] == y)
        return &vh->heads[at];
    }
}

/* The index of the merged vertex at (u, v), adding it to out when it is new. */
static gint64
merge_vertex (VertexHash *vh, double u, double v, double *out, gsize *n_out)
{
  gint64 cx = (gint64) floor (u / vh->cell), cy = (gint64) floor (v / vh->cell);
  gint64 *slot;

  for (gint64 dx = -1; dx <= 1; dx++)
    for (gint64 dy = -1; dy <= 1; dy++)
      {
        gint64 *head = cell_slot (vh, cx + dx, cy + dy, FALSE);

        for (gint64 k = head != NULL ? *head : -1; k >= 0; k = vh->next[k])
          if (fabs (out[2 * k] - u) <= vh->cell && fabs (out[2 * k + 1] - v) <= vh->cell)
            return k;
      }
  slot = cell_slot (vh, cx, cy, TRUE);
  out[2 * *n_out] = u;
  out[2 * *n_out + 1] = v;
  vh->next[*n_out] = *slot;
  *slot = (gint64) *n_out;
  return (gint64) (*n_out)++;
}

/* The decision boundary inside one polygon: for each pair of classes i < k, the part of
 * the line f_i = f_k where both are the maximum, i.e. the line clipped to the polygon cut
 * by f_i >= f_m for every other m. */
static void
region_boundary (const double *xy, int n, const double *aff, int K, double tol_scale, double **seg,
                 gsize *n_seg, gsize *cap_seg, double *work)
{
  double *cur = work, *nxt = work + 2 * (n + K + 2), noise = 0;

  for (int k = 0; k < K; k++)
    noise = MAX (noise, (fabs (aff[3 * k]) + fabs (aff[3 * k + 1])) * tol_scale + fabs (aff[3 * k + 2]));
  noise *= NOISE_TOL;
  for (int i = 0; i < K; i++)
    for (int k = i + 1; k < K; k++)
      {
        double la = aff[3 * i] - aff[3 * k], lb = aff[3 * i + 1] - aff[3 * k + 1], lc = aff[3 * i + 2] - aff[3 * k + 2];
        double ltol = SPLIT_TOL * ((fabs (la) + fabs (lb)) * tol_scale + fabs (lc)) + noise, dir_u = -lb, dir_v = la;
        double tmin = G_MAXDOUBLE, tmax = -G_MAXDOUBLE, pmin[2] = { 0, 0 }, pmax[2] = { 0, 0 };
        int m_cur = n;

        if ((fabs (la) + fabs (lb)) * tol_scale <= noise)
          continue;
        memcpy (cur, xy, sizeof (double) * 2 * n);
        /* Clip by f_i - f_m >= 0 for each other class m (Sutherland-Hodgman, one half-plane). */
        for (int m = 0; m < K && m_cur > 0; m++)
          {
            double ca, cb, cc, ctol;
            int m_nxt = 0;

            if (m == i || m == k)
              continue;
            ca = aff[3 * i] - aff[3 * m], cb = aff[3 * i + 1] - aff[3 * m + 1], cc = aff[3 * i + 2] - aff[3 * m + 2];
            ctol = SPLIT_TOL * ((fabs (ca) + fabs (cb)) * tol_scale + fabs (cc)) + noise;
            for (int p = 0; p < m_cur; p++)
              {
                int q = (p + 1) % m_cur;
                double sp = ca * cur[2 * p] + cb * cur[2 * p + 1] + cc, sq = ca * cur[2 * q] + cb * cur[2 * q + 1] + cc;

                if (sp >= -ctol)
                  {
                    nxt[2 * m_nxt] = cur[2 * p], nxt[2 * m_nxt + 1] = cur[2 * p + 1];
                    m_nxt++;
                  }
                if ((sp > ctol && sq < -ctol) || (sp < -ctol && sq > ctol))
                  {
                    crossing (cur + 2 * p, sp, cur + 2 * q, sq, nxt + 2 * m_nxt);
                    m_nxt++;
                  }
              }
            m_cur = m_nxt;
            memcpy (cur, nxt, sizeof (double) * 2 * m_cur);
          }
        /* The line's points in what is left: vertices on it and edge crossings. */
        for (int p = 0; p < m_cur; p++)
          {
            int q = (p + 1) % m_cur;
            double sp = la * cur[2 * p] + lb * cur[2 * p + 1] + lc, sq = la * cur[2 * q] + lb * cur[2 * q + 1] + lc;
            double x[2], t;
            gboolean hit = FALSE;

            if (fabs (sp) <= ltol)
              x[0] = cur[2 * p], x[1] = cur[2 * p + 1], hit = TRUE;
            else if ((sp > ltol && sq < -ltol) || (sp < -ltol && sq > ltol))
              crossing (cur + 2 * p, sp, cur + 2 * q, sq, x), hit = TRUE;
            if (!hit)
              continue;
            t = x[0] * dir_u + x[1] * dir_v;
            if (t < tmin)
              tmin = t, pmin[0] = x[0], pmin[1] = x[1];
            if (t > tmax)
              tmax = t, pmax[0] = x[0], pmax[1] = x[1];
          }
        if (tmax > tmin && hypot (pmax[0] - pmin[0], pmax[1] - pmin[1]) > MERGE_TOL * tol_scale)
          {
            GROW (*seg, *cap_seg, 4 * (*n_seg + 1));
            (*seg)[4 * *n_seg] = pmin[0];
            (*seg)[4 * *n_seg + 1] = pmin[1];
            (*seg)[4 * *n_seg + 2] = pmax[0];
            (*seg)[4 * *n_seg + 3] = pmax[1];
            (*n_seg)++;
          }
      }
}

/* The area centroid of the polygon of n vertex indices idx into xy (shifted to its first
 * vertex against cancellation); the vertex average where it has no area to rounding.  The
 * decision boundary may cross a region, and predicted is the class here. */
static void
polygon_centroid (const double *xy, const gint64 *idx, int n, double *u, double *v)
{
  const double *o = xy + 2 * idx[0];
  double a = 0, cu = 0, cv = 0, su = 0, sv = 0, extent = 0;

  for (int k = 0; k < n; k++)
    {
      const double *p = xy + 2 * idx[k], *q = xy + 2 * idx[k + 1 < n ? k + 1 : 0];
      double px = p[0] - o[0], py = p[1] - o[1], qx = q[0] - o[0], qy = q[1] - o[1], c = px * qy - qx * py;

      a += c;
      cu += (px + qx) * c;
      cv += (py + qy) * c;
      su += px, sv += py;
      extent = MAX (extent, MAX (fabs (px), fabs (py)));
    }
  if (a > 1e-12 * extent * extent)
    {
      *u = o[0] + cu / (3 * a);
      *v = o[1] + cv / (3 * a);
    }
  else
    {
      *u = o[0] + su / n;
      *v = o[1] + sv / n;
    }
}

static gboolean
cancelled (GCancellable *cancellable, GError **error)
{
  return g_cancellable_set_error_if_cancelled (cancellable, error);
}

/* With no limit asked for, the regions that fit in half of the machine's memory: each
 * region holds its polygon (some 8 vertices in the arena, about as many again in the
 * output), its pattern, one pre-activation map of the widest layer and its logits' map,
 * so that a partition too fine for the machine fails with a message rather than aborting
 * in an allocation. */
static gsize
memory_limit (const ReliefMlpSpec *spec, int pattern_bytes, double *budget_gib)
{
  long pages = sysconf (_SC_PHYS_PAGES), page = sysconf (_SC_PAGESIZE);
  double budget = pages > 0 && page > 0 ? 0.5 * (double) pages * (double) page : 4.0 * (1 << 30);
  int widest = 0;
  double per_region;

  for (int l = 1; l <= spec->n_layers; l++)
    widest = MAX (widest, spec->sizes[l]);
  per_region = sizeof (Poly) + 2.0 * pattern_bytes + 16.0 * 2 * 8 + 8.0 * 3 * widest * 2 +
               8.0 * 3 * spec->sizes[spec->n_layers] + 64;
  *budget_gib = budget / (1 << 30);
  return (gsize) MAX (1000.0, budget / per_region);
}

ReliefRegions *
relief_regions_compute (const ReliefMlpSpec *spec, const float *params_host, const ReliefPlane *plane,
                        gsize max_regions, GCancellable *cancellable, GError **error)
{
  double budget_gib = 0;
  gboolean memory_bound = FALSE;
  g_autoptr(ReliefRegions) out = NULL;
  Builder b = { 0 };
  int L, D, H = 0, K, bit0 = 0;
  double *maps = NULL, *next_maps = NULL, *w = NULL, *gains = NULL;
  gsize cap_maps = 0, cap_next_maps = 0, cap_w = 0, cap_gains = 0;
  Pending *stack = NULL;
  gsize n_stack = 0, cap_stack = 0, *order = NULL, cap_order = 0, cap_new_polys = 0, cap_new_pat = 0;
  Poly *new_polys = NULL;
  guint8 *new_pat = NULL;
  double rect[8];
  gboolean ok = FALSE;

  if (!check_spec (spec, error) || !check_piecewise_linear (spec, error))
    return NULL;
  L = spec->n_layers;
  D = spec->sizes[0];
  K = spec->sizes[L];
  if (plane->n_inputs != D)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _("The plane lies in a space of %d inputs but the network takes %d"), plane->n_inputs, D);
      return NULL;
    }
  if (!(isfinite (plane->umin) && isfinite (plane->umax) && isfinite (plane->vmin) && isfinite (plane->vmax)) ||
      !(plane->umin < plane->umax) || !(plane->vmin < plane->vmax))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _("The rectangle [%g, %g] x [%g, %g] is empty or not finite"), plane->umin, plane->umax,
                   plane->vmin, plane->vmax);
      return NULL;
    }
  {
    double scale = MAX (MAX (fabs (plane->umin), fabs (plane->umax)), MAX (fabs (plane->vmin), fabs (plane->vmax)));

    if (plane->umax - plane->umin < MIN_SIDE * scale || plane->vmax - plane->vmin < MIN_SIDE * scale)
      {
        g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                     _("The rectangle [%g, %g] x [%g, %g] is too thin to partition in float64: each side must be "
                       "at least %g times its largest coordinate (%g)"),
                     plane->umin, plane->umax, plane->vmin, plane->vmax, MIN_SIDE, scale);
        return NULL;
      }
  }
  for (int i = 0; i < D; i++)
    if (!isfinite (plane->origin[i]) || !isfinite (plane->du[i]) || !isfinite (plane->dv[i]))
      {
        g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                     _("The plane’s origin or spanning vectors are not finite (input %d)"), i);
        return NULL;
      }
  /* A diverged checkpoint has no partition: NaN maps would make one region that means
   * nothing (and that no regions file accepts). */
  if (!check_finite_params (spec, params_host, _("linear regions"), error))
    return NULL;
  for (int l = 0; l + 1 < L; l++)
    H += spec->sizes[l + 1];

  b.pattern_bytes = (H + 7) / 8;
  if (max_regions == 0)
    {
      max_regions = memory_limit (spec, b.pattern_bytes, &budget_gib);
      memory_bound = TRUE;
    }
  b.max_regions = max_regions;
  b.scale = MAX (MAX (fabs (plane->umin), fabs (plane->umax)), MAX (fabs (plane->vmin), fabs (plane->vmax)));
  rect[0] = plane->umin, rect[1] = plane->vmin, rect[2] = plane->umax, rect[3] = plane->vmin;
  rect[4] = plane->umax, rect[5] = plane->vmax, rect[6] = plane->umin, rect[7] = plane->vmax;
  GROW (b.polys, b.cap_polys, 1);
  GROW (b.pat, b.cap_pat, MAX (b.pattern_bytes, 1));
  memset (b.pat, 0, b.cap_pat);
  b.polys[0].off = builder_append_vertices (&b, rect, 4);
  b.polys[0].n = 4;
  b.polys[0].map = 0;
  b.n_polys = 1;

  /* Layer 0 on the plane: z = W0 (origin + u du + v dv) + b0, the same for everyone. */
  {
    int n0 = spec->sizes[1];
    const float *w0 = params_host + relief_mlp_spec_weight_offset (spec, 0);
    const float *b0 = params_host + relief_mlp_spec_bias_offset (spec, 0);

    GROW (maps, cap_maps, 3 * (gsize) n0);
    for (int j = 0; j < n0; j++)
      {
        double a = 0, bb = 0, c = b0[j];

        for (int i = 0; i < D; i++)
          {
            double wij = w0[(gsize) j * D + i];

            a += wij * plane->du[i];
            bb += wij * plane->dv[i];
            c += wij * plane->origin[i];
          }
        maps[j] = a, maps[n0 + j] = bb, maps[2 * n0 + j] = c;
      }
  }

  for (int l = 0; l + 1 < L; l++)
    {
      int n = spec->sizes[l + 1], n_next = spec->sizes[l + 2];
      double slope = spec->activation == RELIEF_ACT_LEAKY_RELU ? (double) RELIEF_LEAKY_RELU_SLOPE : 0.0;
      const float *wl = params_host + relief_mlp_spec_weight_offset (spec, l + 1);
      const float *bl = params_host + relief_mlp_spec_bias_offset (spec, l + 1);
      gsize count0 = b.n_polys, n_order = 0, P, chain = 0;
      int prev_parent = -1;
      double noise = 0;

      if (cancelled (cancellable, error))
        goto out;
      /* Depth first: a polygon and the pieces cut from it meet every neuron of the layer
       * while their map is in cache; the leaves come out in an order where neighbours
       * mostly share a parent and differ in few neurons. */
      for (gsize r = 0; r < count0; r++)
        {
          if (r % CANCEL_EVERY == CANCEL_EVERY - 1 && cancelled (cancellable, error))
            goto out;
          const double *m = maps + (gsize) b.polys[r].map * 3 * n;
          double noise = noise_floor (m, n, b.scale);

          GROW (stack, cap_stack, 1);
          stack[0].poly = r;
          stack[0].start = 0;
          n_stack = 1;
          while (n_stack > 0)
            {
              Pending it = stack[--n_stack];

              if (!cut_by_layer (&b, it.poly, it.start, n, m, noise, &stack, &n_stack, &cap_stack))
                {
                  if (memory_bound)
                    g_set_error (error, G_IO_ERROR, G_IO_ERROR_NO_SPACE,
                                 _("The partition has more than %" G_GSIZE_FORMAT " regions by layer %d, more than "
                                   "half of this machine’s memory (%.1f GiB) holds; choose a smaller rectangle"),
                                 max_regions, l + 1, budget_gib);
                  else
                    g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                                 _("The partition has more than %" G_GSIZE_FORMAT " regions (the limit) by layer %d; "
                                   "raise the limit or choose a smaller rectangle"),
                                 max_regions, l + 1);
                  goto out;
                }
              GROW (order, cap_order, n_order + 1);
              order[n_order++] = it.poly;
            }
        }
      P = b.n_polys;
      g_assert (n_order == P);

      /* W_{l+1} transposed: row j is what neuron j adds to each next-layer neuron. */
      GROW (w, cap_w, (gsize) n_next * n);
      for (int o = 0; o < n_next; o++)
        for (int j = 0; j < n; j++)
          w[(gsize) j * n_next + o] = wl[(gsize) o * n + j];
      GROW (next_maps, cap_next_maps, P * 3 * (gsize) n_next);
      GROW (gains, cap_gains, 2 * (gsize) n);
      GROW (new_polys, cap_new_polys, P);
      GROW (new_pat, cap_new_pat, MAX (P * b.pattern_bytes, 1));

      /* In leaf order: the pattern at each polygon's centre, and through it the next
       * layer's map, made whole for the first of a parent's pieces (and every
       * REFRESH_EVERY, against drift) and otherwise from the previous piece's by the
       * neurons whose sign differs, three multiply-adds per next neuron each. */
      for (gsize idx = 0; idx < P; idx++)
        {
          gsize i = order[idx];
          const Poly *poly = &b.polys[i];
          const double *m = maps + (gsize) poly->map * 3 * n;
          double *z_next = next_maps + idx * 3 * n_next, *cur = gains + (idx % 2) * n, *prev = gains + (1 - idx % 2) * n;
          guint8 *pat = new_pat + idx * b.pattern_bytes;
          double u, v;
          int differ = 0;

          memcpy (pat, b.pat + i * b.pattern_bytes, b.pattern_bytes);
          poly_center (&b, poly, &u, &v);
          if (poly->map != prev_parent)
            noise = noise_floor (m, n, b.scale);
          for (int j = 0; j < n; j++)
            {
              double z = m[j] * u + m[n + j] * v + m[2 * n + j];
              /* A neuron that is zero but for rounding is zero. */
              gboolean positive = z > 0 && (fabs (m[j]) + fabs (m[n + j])) * b.scale + fabs (m[2 * n + j]) > noise;
              int bit = bit0 + j;

              if (positive)
                pat[bit / 8] |= (guint8) (0x80u >> (bit % 8));
              cur[j] = positive ? 1.0 : slope;
              differ += idx > 0 && cur[j] != prev[j];
            }
          if (poly->map != prev_parent || chain >= REFRESH_EVERY || differ > n / 4)
            {
              for (int o = 0; o < n_next; o++)
                z_next[o] = z_next[n_next + o] = 0, z_next[2 * n_next + o] = bl[o];
              for (int j = 0; j < n; j++)
                if (cur[j] != 0)
                  add_row (z_next, n_next, w + (gsize) j * n_next, cur[j] * m[j], cur[j] * m[n + j], cur[j] * m[2 * n + j]);
              chain = 0;
            }
          else
            {
              memcpy (z_next, z_next - 3 * n_next, sizeof (double) * 3 * n_next);
              for (int j = 0; j < n && differ > 0; j++)
                if (cur[j] != prev[j])
                  {
                    double d = cur[j] - prev[j];

                    add_row (z_next, n_next, w + (gsize) j * n_next, d * m[j], d * m[n + j], d * m[2 * n + j]);
                    differ--;
                  }
              chain++;
            }
          prev_parent = poly->map;
          new_polys[idx] = *poly;
          new_polys[idx].map = (int) idx;
        }
      bit0 += n;
      memcpy (b.polys, new_polys, sizeof (Poly) * P);
      memcpy (b.pat, new_pat, P * b.pattern_bytes);
      builder_compact (&b);
      {
        double *t = maps;
        gsize tc = cap_maps;

        maps = next_maps, cap_maps = cap_next_maps;
        next_maps = t, cap_next_maps = tc;
      }
    }
  if (cancelled (cancellable, error))
    goto out;

  /* The output: merged vertices, polygons, patterns, logit maps, classes, boundary. */
  {
    gsize P = b.n_polys, total = 0, n_v = 0, n_seg = 0, cap_seg = 0, cap_work = 0;
    gsize at = 0;
    VertexHash vh = { 0 };
    double *work = NULL;
    int r = 0;

    for (gsize i = 0; i < P; i++)
      total += b.polys[i].n;
    out = g_new0 (ReliefRegions, 1);
    out->n_hidden = H;
    out->pattern_bytes = b.pattern_bytes;
    out->n_outputs = K;
    out->vertices = g_new (double, 2 * MAX (total, 1));
    out->polygon_offsets = g_new (gint64, P + 1);
    out->polygon_vertices = g_new (gint64, MAX (total, 1));
    out->patterns = g_new0 (guint8, MAX (P * b.pattern_bytes, 1));
    out->affine = g_new (double, P * K * 3);
    out->predicted = g_new (gint32, P);
    out->n_active = g_new (int, P);

    vh.cell = MERGE_TOL * MAX (b.scale, G_MINDOUBLE);
    vh.cap = 16;
    while (vh.cap < 2 * total)
      vh.cap *= 2;
    vh.keys = g_new (gint64, 2 * vh.cap);
    vh.heads = g_new (gint64, vh.cap);
    vh.next = g_new (gint64, MAX (total, 1));
    for (gsize s = 0; s < vh.cap; s++)
      vh.heads[s] = -1;

    for (gsize i = 0; i < P; i++)
      {
        const Poly *poly = &b.polys[i];
        const double *xy = b.xy + 2 * poly->off;
        const double *m = maps + (gsize) poly->map * 3 * K;
        double *aff = out->affine + (gsize) r * K * 3, u, v;
        gsize start = at;
        int active = 0, best = 0;

        for (int k = 0; k < poly->n; k++)
          {
            gint64 idx = merge_vertex (&vh, xy[2 * k], xy[2 * k + 1], out->vertices, &n_v);

            if (at > start && out->polygon_vertices[at - 1] == idx)
              continue;
            out->polygon_vertices[at++] = idx;
          }
        if (at - start > 1 && out->polygon_vertices[at - 1] == out->polygon_vertices[start])
          at--;
        /* Collapsed below a triangle by the merge: nothing of it has area to keep. */
        if (at - start < 3)
          {
            at = start;
            continue;
          }
        out->polygon_offsets[r] = (gint64) start;
        memcpy (out->patterns + (gsize) r * b.pattern_bytes, b.pat + i * b.pattern_bytes, b.pattern_bytes);
        for (int by = 0; by < b.pattern_bytes; by++)
          active += __builtin_popcount (out->patterns[(gsize) r * b.pattern_bytes + by]);
        out->n_active[r] = active;
        polygon_centroid (out->vertices, out->polygon_vertices + start, (int) (at - start), &u, &v);
        for (int k = 0; k < K; k++)
          {
            aff[3 * k] = m[k];
            aff[3 * k + 1] = m[K + k];
            aff[3 * k + 2] = m[2 * K + k];
            if (!isfinite (aff[3 * k]) || !isfinite (aff[3 * k + 1]) || !isfinite (aff[3 * k + 2]))
              {
                g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                             _("The network’s outputs on the plane are not finite in float64 (its weights are too "
                               "large), so its linear regions cannot be computed"));
                g_free (vh.keys);
                g_free (vh.heads);
                g_free (vh.next);
                g_free (work);
                goto out;
              }
          }
        for (int k = 1; k < K; k++)
          if (aff[3 * k] * u + aff[3 * k + 1] * v + aff[3 * k + 2] >
              aff[3 * best] * u + aff[3 * best + 1] * v + aff[3 * best + 2])
            best = k;
        out->predicted[r] = best;
        if (K > 1)
          {
            GROW (work, cap_work, 4 * ((gsize) poly->n + K + 2));
            region_boundary (xy, poly->n, aff, K, b.scale, &out->boundary, &n_seg, &cap_seg, work);
          }
        r++;
      }
    out->polygon_offsets[r] = (gint64) at;
    out->n_regions = r;
    /* Every polygon merged away (a rectangle near the limit above): no partition, rather
     * than an empty one that no regions file holds. */
    if (r == 0)
      {
        g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                     _("Every region of the rectangle [%g, %g] x [%g, %g] is thinner than float64 can tell apart; "
                       "widen its narrow side"), plane->umin, plane->umax, plane->vmin, plane->vmax);
        g_free (vh.keys);
        g_free (vh.heads);
        g_free (vh.next);
        g_free (work);
        goto out;
      }
    out->n_vertices = n_v;
    out->n_boundary = n_seg;
    out->vertices = g_renew (double, out->vertices, 2 * MAX (n_v, 1));
    g_free (vh.keys);
    g_free (vh.heads);
    g_free (vh.next);
    g_free (work);
  }
  ok = TRUE;

out:
  builder_clear (&b);
  g_free (maps);
  g_free (next_maps);
  g_free (w);
  g_free (gains);
  g_free (stack);
  g_free (order);
  g_free (new_polys);
  g_free (new_pat);
  return ok ? g_steal_pointer (&out) : NULL;
}

static gboolean
polygon_contains (const ReliefRegions *regions, int r, double u, double v, double eps)
{
  gint64 s = regions->polygon_offsets[r], e = regions->polygon_offsets[r + 1];

  for (gint64 k = s; k < e; k++)
    {
      const double *p = regions->vertices + 2 * regions->polygon_vertices[k];
      const double *q = regions->vertices + 2 * regions->polygon_vertices[k + 1 < e ? k + 1 : s];
      double ex = q[0] - p[0], ey = q[1] - p[1];

      /* Left of (or on) every counter-clockwise edge. */
      if (ex * (v - p[1]) - ey * (u - p[0]) < -eps * hypot (ex, ey))
        return FALSE;
    }
  return TRUE;
}

int
relief_regions_find (const ReliefRegions *regions, double u, double v)
{
  double lo_u = G_MAXDOUBLE, hi_u = -G_MAXDOUBLE, lo_v = G_MAXDOUBLE, hi_v = -G_MAXDOUBLE, eps;

  for (gsize k = 0; k < regions->n_vertices; k++)
    {
      lo_u = MIN (lo_u, regions->vertices[2 * k]);
      hi_u = MAX (hi_u, regions->vertices[2 * k]);
      lo_v = MIN (lo_v, regions->vertices[2 * k + 1]);
      hi_v = MAX (hi_v, regions->vertices[2 * k + 1]);
    }
  eps = MERGE_TOL * MAX (MAX (fabs (lo_u), fabs (hi_u)), MAX (fabs (lo_v), fabs (hi_v)));
  if (regions->n_vertices == 0 || u < lo_u - eps || u > hi_u + eps || v < lo_v - eps || v > hi_v + eps)
    return -1;
  for (int r = 0; r < regions->n_regions; r++)
    if (polygon_contains (regions, r, u, v, 0))
      return r;
  /* On an edge, within rounding of every neighbour. */
  for (int r = 0; r < regions->n_regions; r++)
    if (polygon_contains (regions, r, u, v, eps))
      return r;
  return -1;
}

double
relief_regions_polygon_area (const ReliefRegions *regions, int r)
{
  gint64 s = regions->polygon_offsets[r], e = regions->polygon_offsets[r + 1];
  double area = 0;

  g_return_val_if_fail (r >= 0 && r < regions->n_regions, 0);
  for (gint64 k = s; k < e; k++)
    {
      const double *p = regions->vertices + 2 * regions->polygon_vertices[k];
      const double *q = regions->vertices + 2 * regions->polygon_vertices[k + 1 < e ? k + 1 : s];

      area += p[0] * q[1] - q[0] * p[1];
    }
  return 0.5 * area;
}

void
relief_local_complexity_directions (int n_inputs, int n_dirs, guint64 seed, double *dirs)
{
  guint64 dir_seed = relief_rng_derive (seed, "complexity");
  g_autofree float *g = g_new (float, n_inputs);
  guint64 draw = 0;

  for (int p = 0; p < n_dirs; p++)
    {
      double *d = dirs + (gsize) p * n_inputs;
      double norm2 = 0;

      /* Gram-Schmidt twice for orthogonality to rounding; a draw that lies (nearly) in the
       * span of the earlier ones is drawn again. */
      do
        {
          relief_rng_normal_fill (dir_seed, draw * n_inputs, g, n_inputs);
          draw++;
          for (int i = 0; i < n_inputs; i++)
            d[i] = g[i];
          for (int pass = 0; pass < 2; pass++)
            for (int q = 0; q < p; q++)
              {
                const double *e = dirs + (gsize) q * n_inputs;
                double dot = 0;

                for (int i = 0; i < n_inputs; i++)
                  dot += d[i] * e[i];
                for (int i = 0; i < n_inputs; i++)
                  d[i] -= dot * e[i];
              }
          norm2 = 0;
          for (int i = 0; i < n_inputs; i++)
            norm2 += d[i] * d[i];
        }
      while (!(norm2 > 1e-6));
      for (int i = 0; i < n_inputs; i++)
        d[i] /= sqrt (norm2);
    }
}

gboolean
relief_local_complexity (ReliefBackend *backend, const ReliefMlpSpec *spec, const float *params_host,
                         const float *points, int n, double radius, int n_dirs, guint64 seed,
                         int *per_layer_out, int *total_out, GError **error)
{
  ReliefBackend *be = backend;
  int L, D, V, widest = 0, pts_per_batch;
  gsize n_params;
  g_autofree double *dirs = NULL;
  g_autofree float *x_host = NULL, *pre_host = NULL;
  float *params = NULL, *x = NULL, **pre = NULL, **post = NULL;
  gboolean ok = FALSE;

  if (!check_spec (spec, error))
    return FALSE;
  L = spec->n_layers;
  D = spec->sizes[0];
  if (n_dirs == 0)
    n_dirs = D;
  if (n_dirs < 0 || n_dirs > D)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _("Local complexity takes 1 to %d directions for this network (or 0 for all); got %d"), D, n_dirs);
      return FALSE;
    }
  if (!(radius > 0) || !isfinite (radius))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _("The radius of local complexity must be a positive number (got %g)"), radius);
      return FALSE;
    }
  if (n < 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, _("Negative number of points (%d)"), n);
      return FALSE;
    }
  /* NaN pre-activations compare false both ways, so a diverged network would count as
   * one whose every neuron keeps its sign: a complexity of 0 that means nothing. */
  if (!check_finite_params (spec, params_host, _("local complexity"), error))
    return FALSE;
  n_params = relief_mlp_spec_n_params (spec);
  if (n == 0)
    return TRUE;

  V = 2 * n_dirs;
  pts_per_batch = MAX (1, LC_ROWS / V);
  pts_per_batch = MIN (pts_per_batch, n);
  for (int l = 1; l <= L; l++)
    widest = MAX (widest, spec->sizes[l]);
  dirs = g_new (double, (gsize) n_dirs * D);
  relief_local_complexity_directions (D, n_dirs, seed, dirs);

  pre = g_new0 (float *, (gsize) spec->n_layers);
  post = g_new0 (float *, (gsize) spec->n_layers);
  x_host = g_new (float, (gsize) pts_per_batch * V * D);
  pre_host = g_new (float, (gsize) pts_per_batch * V * widest);
  if (!(params = be->alloc (be, sizeof (float) * n_params, error)) ||
      !be->upload (be, params, params_host, sizeof (float) * n_params, error) ||
      !(x = be->alloc (be, sizeof (float) * pts_per_batch * V * D, error)))
    goto out;
  for (int l = 0; l < L; l++)
    {
      gsize bytes = sizeof (float) * pts_per_batch * V * spec->sizes[l + 1];

      if (!(pre[l] = be->alloc (be, bytes, error)) || (l + 1 < L && !(post[l] = be->alloc (be, bytes, error))))
        goto out;
    }

  for (int start = 0; start < n; start += pts_per_batch)
    {
      int count = MIN (pts_per_batch, n - start), rows = count * V;

      for (int i = 0; i < count; i++)
        {
          const float *p = points + (gsize) (start + i) * D;

          for (int d = 0; d < n_dirs; d++)
            {
              const double *dir = dirs + (gsize) d * D;
              float *plus = x_host + ((gsize) i * V + 2 * d) * D, *minus = plus + D;

              for (int c = 0; c < D; c++)
                {
                  plus[c] = (float) (p[c] + radius * dir[c]);
                  minus[c] = (float) (p[c] - radius * dir[c]);
                }
            }
          if (total_out != NULL)
            total_out[start + i] = 0;
        }
      if (!be->upload (be, x, x_host, sizeof (float) * rows * D, error))
        goto out;
      for (int l = 0; l < L; l++)
        {
          int in = spec->sizes[l], width = spec->sizes[l + 1];
          const float *wl = params + relief_mlp_spec_weight_offset (spec, l);
          const float *bl = params + relief_mlp_spec_bias_offset (spec, l);

          if (!be->gemm (be, FALSE, TRUE, rows, width, in, 1.0f, l == 0 ? x : post[l - 1], in, wl, in, 0.0f,
                         pre[l], width, error) ||
              !be->add_bias (be, pre[l], bl, rows, width, error) ||
              (l + 1 < L && !be->act_forward (be, spec->activation, pre[l], post[l], (gsize) rows * width, error)) ||
              !be->download (be, pre_host, pre[l], sizeof (float) * rows * width, error))
            goto out;
          for (int i = 0; i < count; i++)
            {
              const float *z = pre_host + (gsize) i * V * width;
              int changed = 0;

              for (int j = 0; j < width; j++)
                {
                  gboolean first = z[j] > 0;

                  for (int k = 1; k < V; k++)
                    if ((z[(gsize) k * width + j] > 0) != first)
                      {
                        changed++;
                        break;
                      }
                }
              if (per_layer_out != NULL)
                per_layer_out[(gsize) (start + i) * L + l] = changed;
              if (total_out != NULL)
                total_out[start + i] += changed;
            }
        }
    }
  ok = TRUE;

out:
  for (int l = 0; l < L; l++)
    {
      if (pre[l] != NULL)
        be->free (be, pre[l]);
      if (post[l] != NULL)
        be->free (be, post[l]);
    }
  g_free (pre);
  g_free (post);
  if (x != NULL)
    be->free (be, x);
  if (params != NULL)
    be->free (be, params);
  return ok;
}
