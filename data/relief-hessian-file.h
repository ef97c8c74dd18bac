/* relief-hessian-file.h: the curvature of a run's loss at one checkpoint: eigenpairs of
 * the Hessian, its trace and its eigenvalue density (schema: docs/file-formats.md).
 * Errors are RELIEF_FILE_ERROR (relief-file.h). */
#pragma once

#include <glib.h>
#include "relief-file.h"

G_BEGIN_DECLS

#define RELIEF_HESSIAN_FORMAT_VERSION 1

/* Eigenpairs at one end of the spectrum: values with their unit vectors (the flat
 * parameter order) and residuals ||H v - lambda v||. */
typedef struct {
  int     n;
  double *values;       /* [n] */
  float  *vectors;      /* [n, n_params] */
  double *residuals;    /* [n] */
} ReliefHessianPairs;

typedef struct {
  gsize   n_params;           /* D */
  char   *run_file;           /* as given to the job */
  int     checkpoint;         /* the snapshot's index in the run */
  int     n_samples;          /* training samples the loss was taken over */
  char   *backend;
  /* The settings. */
  char   *method;             /* "lanczos" or "power" */
  int     k;                  /* pairs asked for at each end; 0: none */
  double  tolerance;
  int     max_iter;
  guint64 seed;
  /* The largest eigenpairs, descending; n == 0 when not computed. */
  ReliefHessianPairs largest;
  /* The smallest, ascending; n == 0 when not asked for. */
  ReliefHessianPairs smallest;
  /* Hutchinson's trace; has_trace FALSE when not asked for. */
  gboolean has_trace;
  double  trace, trace_stderr;
  int     trace_probes;
  double  trace_tolerance;    /* the relative standard error it stopped at */
  int     trace_max_probes;
  /* The SLQ density; n_grid == 0 when not asked for. */
  int     n_grid;
  double *density_grid, *density;   /* [n_grid] */
  int     slq_starts, slq_steps;    /* as asked */
  int     slq_steps_taken;          /* per start (fewer when the Krylov space closed) */
  double  slq_sigma2_scale;         /* the broadening asked for */
  double  slq_sigma2;               /* the broadening's variance */
  double *slq_nodes, *slq_weights;  /* [slq_starts, slq_steps_taken] */
} ReliefHessianSpectrum;

ReliefHessianSpectrum *relief_hessian_spectrum_new  (gsize n_params);
void                   relief_hessian_spectrum_free (ReliefHessianSpectrum *hs);
gboolean               relief_hessian_spectrum_save (const ReliefHessianSpectrum *hs, const char *path,
                                                     GError **error);
ReliefHessianSpectrum *relief_hessian_spectrum_load (const char *path, GError **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ReliefHessianSpectrum, relief_hessian_spectrum_free)

G_END_DECLS
