/* relief-decision.h: a model's decisions over its 2D input plane (decision boundaries). */
#pragma once

#include <glib.h>
#include "relief-backend.h"
#include "relief-mlp.h"

G_BEGIN_DECLS

/* Evaluates a 2-input model on the nx x ny grid spanning [xmin, xmax] x [ymin, ymax]
 * (points on the edges, x = xmin + i (xmax - xmin) / (nx - 1); a single point sits at the
 * lower edge), in batches on backend.  params_host: the flat parameters.  Per grid point,
 * y-major [ny, nx] like the surfaces: class_out the argmax of the logits, confidence_out
 * (may be NULL) its softmax probability.  Fails for models that do not take 2 inputs. */
gboolean relief_mlp_predict_grid (ReliefBackend *backend, const ReliefMlpSpec *spec, const float *params_host,
                                  double xmin, double xmax, double ymin, double ymax, int nx, int ny,
                                  int *class_out, float *confidence_out, GError **error);

/* A model's decisions over a grid of its input plane, with the samples to draw on them. */
typedef struct {
  int     nx, ny;
  double  xmin, xmax, ymin, ymax;   /* the input plane, edges included */
  int    *classes;                  /* [ny, nx], as relief_mlp_predict_grid */
  float  *confidence;               /* [ny, nx] */
  int     n_classes;
  int     n_samples;
  float  *samples;                  /* [n_samples, 2] */
  gint32 *labels;                   /* [n_samples] */
} ReliefDecisionMap;

void relief_decision_map_free (ReliefDecisionMap *map);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ReliefDecisionMap, relief_decision_map_free)

G_END_DECLS
