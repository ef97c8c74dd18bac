/* relief-race-file.h: an optimizer race on an analytic function of (x, y): each racer's
 * path and loss from one start (schema: docs/file-formats.md).  Errors are
 * RELIEF_FILE_ERROR (relief-file.h). */
#pragma once

#include <glib.h>
#include "relief-file.h"

G_BEGIN_DECLS

#define RELIEF_RACE_FORMAT_VERSION 1
/* Racers a file may hold: their groups are racer_00 .. racer_63. */
#define RELIEF_RACE_MAX_RACERS 64

typedef struct {
  char   *optimizer;      /* its name as given: "gd", "momentum", "adam", ... */
  double  lr, momentum, beta1, beta2, eps, weight_decay;
  gint64  diverged_at;    /* the step at which it diverged, -1 when it did not */
  int     colour;         /* index into the figure's palette */
  double *path;           /* [n_steps + 1, 2], row 0 the start */
  double *loss;           /* [n_steps + 1] */
} ReliefRaceRacer;

typedef struct {
  char            *function;        /* a built-in's name or the expression */
  double           kappa, theta;    /* the quadratic's condition number and rotation (radians); NaN otherwise */
  double           xmin, xmax, ymin, ymax;  /* the view */
  double           x0, y0;          /* the start of every racer */
  gint64           n_steps;         /* every racer's path has n_steps + 1 rows */
  int              n_racers;
  ReliefRaceRacer *racers;          /* [n_racers] */
} ReliefRaceFile;

/* A race of n_racers with n_steps steps: every array allocated (zeroed), every racer not
 * diverged, kappa and theta NaN. */
ReliefRaceFile *relief_race_file_new  (int n_racers, gint64 n_steps);
void            relief_race_file_free (ReliefRaceFile *race);
gboolean        relief_race_file_save (const ReliefRaceFile *race, const char *path, GError **error);
ReliefRaceFile *relief_race_file_load (const char *path, GError **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ReliefRaceFile, relief_race_file_free)

G_END_DECLS
