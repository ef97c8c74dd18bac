/* relief-directions.h: the directions of loss-landscape slices (Li et al. 2018):
 * random Gaussian with a choice of normalization, PCA of a training trajectory, and
 * the line between two checkpoints (Goodfellow et al. 2015). */
#pragma once

#include <glib.h>
#include "relief-mlp.h"

G_BEGIN_DECLS

typedef enum {
  RELIEF_DIRECTIONS_RANDOM, /*< nick=random >*/ /* Gaussian, normalized as asked (the default) */
  RELIEF_DIRECTIONS_PCA,    /*< nick=pca >*/    /* the trajectory's two leading principal components */
  RELIEF_DIRECTIONS_LINE,   /*< nick=line >*/   /* the line to another checkpoint (Goodfellow et al.) */
  RELIEF_DIRECTIONS_HESSIAN,     /*< nick=hessian >*/     /* the loss's Hessian's two top eigenvectors */
  RELIEF_DIRECTIONS_HESSIAN_MIN, /*< nick=hessian-min >*/ /* its top and its bottom (most negative) one */
} ReliefDirectionKind;

typedef enum {
  RELIEF_NORM_FILTER, /*< nick=filter >*/ /* each row (output neuron) of a weight matrix to that row's norm */
  RELIEF_NORM_LAYER,  /*< nick=layer >*/  /* each weight matrix as a whole to the matrix's norm */
  RELIEF_NORM_NONE,   /*< nick=none >*/   /* the raw Gaussian draw */
} ReliefNormalization;

typedef enum {
  RELIEF_BIAS_ZERO, /*< nick=zero >*/ /* loss-landscape's "ignore biasbn": biases stay at the center */
  RELIEF_BIAS_COPY, /*< nick=copy >*/ /* the bias direction is the bias itself */
} ReliefBiasMode;

/* A random direction around weights: the Gaussian draw relief_rng_normal_fill (seed, 0, ...)
 * over the whole flat vector, weight matrices normalized as asked, biases by mode. */
void relief_direction_random (const ReliefMlpSpec *spec, const float *weights, guint64 seed,
                              ReliefNormalization norm, ReliefBiasMode bias, float *dir_out);

/* relief_direction_random with the loss-landscape defaults: filter-normalized, biases zero. */
void relief_direction_random_filter (const ReliefMlpSpec *spec, const float *weights, guint64 seed, float *dir_out);

/* dir_out = to - from: alpha 0 is from, alpha 1 is to. */
void relief_direction_line (gsize n_params, const float *from, const float *to, float *dir_out);

/* The two leading principal components of the trajectory (snapshots [T, n_params])
 * relative to center: rows theta_t - center, mean-removed as in sklearn's PCA, through an
 * eigendecomposition of the T x T Gram matrix.  xdir/ydir are orthonormal; ratio[2] are
 * the explained-variance ratios; proj_x/proj_y [T] the coordinates of each snapshot's
 * offset from center in the (xdir, ydir) plane.  Needs at least 3 snapshots and
 * offsets spanning two dimensions. */
gboolean relief_direction_pca (gsize n_params, const float *snapshots, int n_snapshots, const float *center,
                               float *xdir, float *ydir, double ratio[2], double *proj_x, double *proj_y,
                               GError **error);

G_END_DECLS
