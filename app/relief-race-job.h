/* relief-race-job.h: the work behind `relief lesson`: optimizers racing on an analytic
 * function of (x, y) from one start (compute/relief-race.h), written as a race file
 * (data/relief-race-file.h).  Runs on the calling thread. */
#pragma once

#include <gio/gio.h>
#include "relief-job-common.h"
#include "relief-race.h"
#include "relief-race-file.h"

G_BEGIN_DECLS

typedef struct {
  char        *function;         /* a built-in's name or an expression in x and y */
  double       kappa, theta;     /* the quadratic's condition number and rotation (10, 0) */
  int          n_racers;
  ReliefRacer *racers;           /* [n_racers], owned: relief_racer_init'ed */
  gboolean     has_start;        /* FALSE: the function's default start */
  double       x0, y0;
  gboolean     has_view;         /* FALSE: the function's default view */
  double       xmin, xmax, ymin, ymax;
  gint64       n_steps;          /* (200) */
  char        *output;           /* the race file; NULL: in memory only */
} ReliefRaceJob;

/* Called from the computing thread; any may be NULL. */
typedef struct {
  void (*progress) (double fraction, gpointer user_data);
  ReliefJobEstimateFunc   estimate;
  ReliefBackendChosenFunc backend_chosen;
  gpointer user_data;
} ReliefRaceJobCallbacks;

/* No function or racers; kappa 10, theta 0, 200 steps, the function's start and view; no
 * output. */
void     relief_race_job_init_defaults (ReliefRaceJob *job);
void     relief_race_job_clear         (ReliefRaceJob *job);
/* Runs the race on the CPU backend (two parameters a racer: nothing to gain on a GPU),
 * writes it to the output (when it has one) and hands it over in *result (may be NULL).
 * An unknown function, a bad expression (with the column), a start outside the view or
 * where the function is not finite are G_IO_ERROR_INVALID_ARGUMENT; a cancel
 * (G_IO_ERROR_CANCELLED) writes nothing. */
gboolean relief_race_job_run (const ReliefRaceJob *job, const ReliefRaceJobCallbacks *cb, GCancellable *cancellable,
                              ReliefRaceFile **result, GError **error);
/* A race in progress as a race file (what the window draws, exports and animates): its
 * racers' paths and losses so far, NaN after the points of one that diverged, over the
 * view [xmin, xmax, ymin, ymax] from (x0, y0).  The quadratic's kappa is its lambda_max,
 * its theta 0: set theta when the function was rotated. */
ReliefRaceFile *relief_race_job_snapshot (const ReliefRace *race, const double view[4], double x0, double y0);
/* The race's function (from the file's name, kappa and theta) at the points xs [nx] x
 * ys [ny] into z [ny, nx], row = y: the map a race figure is drawn over (NaN where it is
 * not finite). */
gboolean relief_race_job_sample (const ReliefRaceFile *race, int nx, const double *xs, int ny, const double *ys,
                                 double *z, GError **error);

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (ReliefRaceJob, relief_race_job_clear)

G_END_DECLS
