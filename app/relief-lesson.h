/* relief-lesson.h: a lesson, what the Lesson page shows, as a small key file
 * (.relief-lesson, schema in docs/file-formats.md): the race (a function, its view, a start
 * and the racers with their settings), the playground (a 2D data set and a small network)
 * and named presets, each a few keys that differ from the lesson.  A key file rather than
 * HDF5: a teacher edits it by hand, a diff shows what changed, and a few settings need no
 * HDF5.  Loading checks every value; an error names the file, the line, the group and the
 * key (G_KEY_FILE_ERROR). */
#pragma once

#include <glib.h>
#include "relief-backend.h"

G_BEGIN_DECLS

#define RELIEF_LESSON_SUFFIX ".relief-lesson"
#define RELIEF_LESSON_MAX_RACERS 8
#define RELIEF_LESSON_MAX_PRESETS 9
#define RELIEF_LESSON_MAX_LAYERS 6
#define RELIEF_LESSON_MAX_WIDTH 64
#define RELIEF_LESSON_MAX_POINTS 4000

typedef enum {
  RELIEF_LESSON_RACE,
  RELIEF_LESSON_PLAYGROUND,
} ReliefLessonMode;

typedef struct {
  char   *optimizer;      /* as relief_racer_init spells it: "gd", "momentum", "adam", ... */
  double  lr, momentum, beta1, beta2;
  int     colour;         /* into the figures' palette (relief_plot_palette), 0 .. 9 */
} ReliefLessonRacer;

typedef struct {
  char              *function;      /* a built-in's name, or "expression" */
  char              *expression;    /* in x and y; what "expression" races on */
  double             kappa;         /* the quadratic's condition number, >= 1 */
  double             theta;         /* its rotation, in degrees */
  double             view[4];       /* xmin, xmax, ymin, ymax */
  double             start[2];
  double             steps_per_second;
  int                n_racers;
  ReliefLessonRacer *racers;
} ReliefLessonRace;

typedef struct {
  char            *dataset;       /* a generator's name, or "points" (those clicked in) */
  guint64          seed;
  int              n_layers;      /* hidden layers, 0 .. RELIEF_LESSON_MAX_LAYERS */
  int             *layers;        /* their widths */
  ReliefActivation activation;
  double           lr;
  int              batch;
  double           l2;
  gboolean         regions;       /* the linear regions over the map */
  int              n_points;      /* the points clicked in: x, y and class 0 or 1 each */
  double          *points;        /* [n_points, 3] */
} ReliefLessonPlayground;

/* A named variant: keys of the lesson's groups ("Race.kappa", "Racer 2.lr") and their
 * values, as the file spells them. */
typedef struct {
  char  *name;
  int    n_keys;
  char **keys;
  char **values;
} ReliefLessonPreset;

typedef struct {
  char                  *title;
  ReliefLessonMode       mode;
  ReliefLessonRace       race;
  ReliefLessonPlayground playground;
  int                    n_presets;
  ReliefLessonPreset    *presets;
} ReliefLesson;

/* The page's first lesson: GD, momentum and Adam on a quadratic of condition 10; a spiral
 * with one hidden layer of 8. */
ReliefLesson *relief_lesson_new_default (void);
ReliefLesson *relief_lesson_copy        (const ReliefLesson *lesson);
void          relief_lesson_free        (ReliefLesson *lesson);

/* name is what errors call the text (the file's name). */
ReliefLesson *relief_lesson_load_data (const char *data, gsize length, const char *name, GError **error);
ReliefLesson *relief_lesson_load      (const char *path, GError **error);
/* The key file's text; saving writes it through relief-output.h (temporary name, rename). */
char         *relief_lesson_to_data   (const ReliefLesson *lesson, gsize *length);
gboolean      relief_lesson_save      (const ReliefLesson *lesson, const char *path, GError **error);

/* The lesson with preset i's keys set (checked as the file's are when it was loaded). */
ReliefLesson *relief_lesson_apply_preset (const ReliefLesson *lesson, int i, GError **error);

/* The palette's colours as the file names them ("blue", "orange", ... matplotlib's tab10),
 * NULL-terminated; the colour racer i gets when the file names none. */
const char *const *relief_lesson_colour_names (void);
int           relief_lesson_racer_colour (int i);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ReliefLesson, relief_lesson_free)

G_END_DECLS
