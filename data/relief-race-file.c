/* relief-race-file.c: optimizer races on analytic functions (docs/file-formats.md). */
#include "relief-race-file.h"
#include "relief-h5.h"

#include <glib/gi18n-lib.h>
#include <math.h>
#include <string.h>

/* More steps than a lesson ever takes: a file declaring more is refused before reading. */
#define MAX_STEPS 10000000
/* How near a path's first point must be to the start: a float32's precision. */
#define START_TOLERANCE 1e-6

ReliefRaceFile *
relief_race_file_new (int n_racers, gint64 n_steps)
{
  ReliefRaceFile *race = g_new0 (ReliefRaceFile, 1);

  g_return_val_if_fail (n_racers >= 0 && n_steps >= 0, race);
  race->kappa = race->theta = NAN;
  race->n_steps = n_steps;
  race->n_racers = n_racers;
  race->racers = g_new0 (ReliefRaceRacer, MAX (n_racers, 1));
  for (int i = 0; i < n_racers; i++)
    {
      race->racers[i].diverged_at = -1;
      race->racers[i].colour = i;
      race->racers[i].path = g_new0 (double, 2 * (n_steps + 1));
      race->racers[i].loss = g_new0 (double, n_steps + 1);
    }
  return race;
}

void
relief_race_file_free (ReliefRaceFile *race)
{
  if (race == NULL)
    return;
  for (int i = 0; i < race->n_racers; i++)
    {
      g_free (race->racers[i].optimizer);
      g_free (race->racers[i].path);
      g_free (race->racers[i].loss);
    }
  g_free (race->racers);
  g_free (race->function);
  g_free (race);
}

static void
racer_group_name (int i, char name[16])
{
  g_snprintf (name, 16, "racer_%02d", i);
}

/* ---- saving ---- */

static gboolean
write_racer (hid_t file, int i, const ReliefRaceRacer *r, gint64 n_steps, GError **error)
{
  char name[16];
  hsize_t path_dims[2] = { n_steps + 1, 2 }, loss_dims[1] = { n_steps + 1 };
  hid_t group;
  gboolean ok;

  racer_group_name (i, name);
  group = H5Gcreate2 (file, name, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
  if (group < 0)
    {
      relief_h5_set_error (error, RELIEF_FILE_ERROR_IO, _("Cannot create group “%s”"), name);
      return FALSE;
    }
  ok = relief_h5_write_string_attr (group, "optimizer", r->optimizer, error) &&
       relief_h5_write_double_attr (group, "lr", r->lr, error) &&
       relief_h5_write_double_attr (group, "momentum", r->momentum, error) &&
       relief_h5_write_double_attr (group, "beta1", r->beta1, error) &&
       relief_h5_write_double_attr (group, "beta2", r->beta2, error) &&
       relief_h5_write_double_attr (group, "eps", r->eps, error) &&
       relief_h5_write_double_attr (group, "weight_decay", r->weight_decay, error) &&
       relief_h5_write_int_attr (group, "diverged_at", r->diverged_at, error) &&
       relief_h5_write_int_attr (group, "colour", r->colour, error) &&
       relief_h5_write_dataset (group, "path", H5T_NATIVE_DOUBLE, H5T_IEEE_F64LE, 2, path_dims, r->path, error) &&
       relief_h5_write_dataset (group, "loss", H5T_NATIVE_DOUBLE, H5T_IEEE_F64LE, 1, loss_dims, r->loss, error);
  H5Gclose (group);
  return ok;
}

static gboolean
write_race (hid_t file, gconstpointer data, GError **error)
{
  const ReliefRaceFile *race = data;
  gboolean ok;

  ok = relief_h5_write_string_attr (file, "relief_format", relief_file_kind_name (RELIEF_FILE_KIND_RACE), error) &&
       relief_h5_write_int_attr (file, "relief_format_version", RELIEF_RACE_FORMAT_VERSION, error) &&
       relief_h5_write_string_attr (file, "function", race->function, error) &&
       relief_h5_write_double_attr (file, "x_min", race->xmin, error) &&
       relief_h5_write_double_attr (file, "x_max", race->xmax, error) &&
       relief_h5_write_double_attr (file, "y_min", race->ymin, error) &&
       relief_h5_write_double_attr (file, "y_max", race->ymax, error) &&
       relief_h5_write_double_attr (file, "x0", race->x0, error) &&
       relief_h5_write_double_attr (file, "y0", race->y0, error) &&
       relief_h5_write_int_attr (file, "steps", race->n_steps, error) &&
       relief_h5_write_int_attr (file, "n_racers", race->n_racers, error);
  if (ok && strcmp (race->function, "quadratic") == 0)
    ok = relief_h5_write_double_attr (file, "kappa", race->kappa, error) &&
         relief_h5_write_double_attr (file, "theta", race->theta, error);
  for (int i = 0; ok && i < race->n_racers; i++)
    ok = write_racer (file, i, &race->racers[i], race->n_steps, error);
  return ok;
}

gboolean
relief_race_file_save (const ReliefRaceFile *race, const char *path, GError **error)
{
  if (race->function == NULL || race->n_racers < 1 || race->n_racers > RELIEF_RACE_MAX_RACERS)
    {
      g_set_error (error, RELIEF_FILE_ERROR, RELIEF_FILE_ERROR_CORRUPT,
                   _("A race needs its function and 1 to %d racers to be saved"), RELIEF_RACE_MAX_RACERS);
      return FALSE;
    }
  for (int i = 0; i < race->n_racers; i++)
    if (race->racers[i].optimizer == NULL)
      {
        g_set_error (error, RELIEF_FILE_ERROR, RELIEF_FILE_ERROR_CORRUPT,
                     _("Racer %d of the race has no optimizer name"), i + 1);
        return FALSE;
      }
  return relief_h5_save_atomic (path, write_race, race, error);
}

/* ---- loading ---- */

static gboolean
read_range (hid_t loc, const char *name, double min, gboolean min_open, double max, gboolean max_open, double *out,
            GError **error)
{
  return relief_h5_read_double_attr (loc, name, out, error) &&
         relief_h5_check_setting (name, *out, min, min_open, max, max_open, error);
}

/* Rows before diverged_at must be finite; from it on the racer flew off and anything
 * (NaN, infinities) may stand there. */
static gboolean
check_rows (const char *group, const char *name, const double *v, int per_row, gint64 n_rows, gint64 diverged_at,
            GError **error)
{
  gint64 finite_rows = diverged_at < 0 ? n_rows : MIN (diverged_at, n_rows);

  for (gint64 r = 0; r < finite_rows; r++)
    for (int c = 0; c < per_row; c++)
      if (!isfinite (v[r * per_row + c]))
        {
          g_set_error (error, RELIEF_FILE_ERROR, RELIEF_FILE_ERROR_CORRUPT,
                       _("“%s/%s” is not finite at step %" G_GINT64_FORMAT " (the racer did not diverge before it)"),
                       group, name, r);
          return FALSE;
        }
  return TRUE;
}

static gpointer
read_rows (hid_t group, const char *group_name, const char *name, int per_row, gint64 n_rows, GError **error)
{
  hsize_t dims[RELIEF_H5_MAX_RANK];
  int rank = 0;
  gpointer data = relief_h5_read_dataset (group, name, H5T_NATIVE_DOUBLE, sizeof (double), &rank, dims, error);
  gboolean same = data != NULL && rank == (per_row == 1 ? 1 : 2) && dims[0] == (hsize_t) n_rows &&
                  (per_row == 1 || dims[1] == (hsize_t) per_row);

  if (data != NULL && !same)
    {
      if (per_row == 1)
        g_set_error (error, RELIEF_FILE_ERROR, RELIEF_FILE_ERROR_CORRUPT,
                     _("“%s/%s” is not of shape [%" G_GINT64_FORMAT "] (steps + 1)"), group_name, name, n_rows);
      else
        g_set_error (error, RELIEF_FILE_ERROR, RELIEF_FILE_ERROR_CORRUPT,
                     _("“%s/%s” is not of shape [%" G_GINT64_FORMAT ", %d] (steps + 1)"), group_name, name, n_rows,
                     per_row);
      g_clear_pointer (&data, g_free);
    }
  return data;
}

static gboolean
read_racer (hid_t file, int i, gint64 n_steps, ReliefRaceRacer *r, GError **error)
{
  char name[16];
  gint64 diverged_at = -1, colour = 0;
  hid_t group;
  gboolean ok;

  racer_group_name (i, name);
  group = relief_h5_open_group (file, name, error);
  if (group < 0)
    return FALSE;
  ok = (r->optimizer = relief_h5_read_string_attr (group, "optimizer", error)) != NULL &&
       read_range (group, "lr", 0, TRUE, G_MAXDOUBLE, FALSE, &r->lr, error) &&
       read_range (group, "momentum", 0, FALSE, 1, TRUE, &r->momentum, error) &&
       read_range (group, "beta1", 0, FALSE, 1, TRUE, &r->beta1, error) &&
       read_range (group, "beta2", 0, FALSE, 1, TRUE, &r->beta2, error) &&
       read_range (group, "eps", 0, FALSE, G_MAXDOUBLE, FALSE, &r->eps, error) &&
       read_range (group, "weight_decay", 0, FALSE, G_MAXDOUBLE, FALSE, &r->weight_decay, error) &&
       relief_h5_read_int_attr (group, "diverged_at", &diverged_at, error) &&
       relief_h5_check_setting ("diverged_at", (double) diverged_at, -1, FALSE, (double) n_steps, FALSE, error) &&
       relief_h5_read_int_attr (group, "colour", &colour, error) &&
       relief_h5_check_setting ("colour", (double) colour, 0, FALSE, RELIEF_RACE_MAX_RACERS - 1, FALSE, error);
  if (ok && r->optimizer[0] == '\0')
    {
      g_set_error_literal (error, RELIEF_FILE_ERROR, RELIEF_FILE_ERROR_CORRUPT, _("“optimizer” is empty"));
      ok = FALSE;
    }
  if (ok)
    {
      r->diverged_at = diverged_at;
      r->colour = (int) colour;
      /* The shapes are checked against the file's declaration before the read allocates. */
      ok = (r->path = read_rows (group, name, "path", 2, n_steps + 1, error)) != NULL &&
           (r->loss = read_rows (group, name, "loss", 1, n_steps + 1, error)) != NULL &&
           check_rows (name, "path", r->path, 2, n_steps + 1, diverged_at, error) &&
           check_rows (name, "loss", r->loss, 1, n_steps + 1, diverged_at, error);
    }
  H5Gclose (group);
  if (!ok)
    g_prefix_error (error, _("%s: "), name);
  return ok;
}

static ReliefRaceFile *
race_load (const char *path, GError **error)
{
  g_autoptr(ReliefRaceFile) race = NULL;
  ReliefFileKind kind;
  gint64 n_steps = 0, n_racers = 0;
  hid_t file;
  gboolean ok;

  file = relief_h5_open_kind (path, &kind, error);
  if (file < 0)
    return NULL;
  if (kind != RELIEF_FILE_KIND_RACE)
    {
      g_set_error (error, RELIEF_FILE_ERROR, RELIEF_FILE_ERROR_WRONG_KIND,
                   _("“%s” is a %s file, not a race"), path, relief_file_kind_name (kind));
      H5Fclose (file);
      return NULL;
    }
  ok = relief_h5_read_int_attr (file, "steps", &n_steps, error) &&
       relief_h5_check_setting ("steps", (double) n_steps, 0, FALSE, MAX_STEPS, FALSE, error) &&
       relief_h5_read_int_attr (file, "n_racers", &n_racers, error) &&
       relief_h5_check_setting ("n_racers", (double) n_racers, 1, FALSE, RELIEF_RACE_MAX_RACERS, FALSE, error);
  if (ok)
    {
      /* The racers' arrays are read, not allocated here. */
      race = g_new0 (ReliefRaceFile, 1);
      race->kappa = race->theta = NAN;
      race->n_steps = n_steps;
      race->racers = g_new0 (ReliefRaceRacer, n_racers);
      ok = (race->function = relief_h5_read_string_attr (file, "function", error)) != NULL &&
           read_range (file, "x_min", -G_MAXDOUBLE, FALSE, G_MAXDOUBLE, FALSE, &race->xmin, error) &&
           read_range (file, "x_max", race->xmin, TRUE, G_MAXDOUBLE, FALSE, &race->xmax, error) &&
           read_range (file, "y_min", -G_MAXDOUBLE, FALSE, G_MAXDOUBLE, FALSE, &race->ymin, error) &&
           read_range (file, "y_max", race->ymin, TRUE, G_MAXDOUBLE, FALSE, &race->ymax, error) &&
           read_range (file, "x0", -G_MAXDOUBLE, FALSE, G_MAXDOUBLE, FALSE, &race->x0, error) &&
           read_range (file, "y0", -G_MAXDOUBLE, FALSE, G_MAXDOUBLE, FALSE, &race->y0, error);
    }
  if (ok && race->function[0] == '\0')
    {
      g_set_error_literal (error, RELIEF_FILE_ERROR, RELIEF_FILE_ERROR_CORRUPT, _("“function” is empty"));
      ok = FALSE;
    }
  if (ok && strcmp (race->function, "quadratic") == 0)
    ok = read_range (file, "kappa", 1, FALSE, G_MAXDOUBLE, FALSE, &race->kappa, error) &&
         read_range (file, "theta", -G_MAXDOUBLE, FALSE, G_MAXDOUBLE, FALSE, &race->theta, error);
  for (int i = 0; ok && i < n_racers; i++)
    {
      ok = read_racer (file, i, n_steps, &race->racers[i], error);
      race->n_racers = i + 1;   /* what is allocated, for the free */
    }
  /* The racers step in float32: their first point is the start rounded to a float. */
  for (int i = 0; ok && i < n_racers; i++)
    if (fabs (race->racers[i].path[0] - race->x0) > START_TOLERANCE * MAX (1, fabs (race->x0)) ||
        fabs (race->racers[i].path[1] - race->y0) > START_TOLERANCE * MAX (1, fabs (race->y0)))
      {
        g_set_error (error, RELIEF_FILE_ERROR, RELIEF_FILE_ERROR_CORRUPT,
                     _("racer_%02d: its path does not begin at the start (x0, y0)"), i);
        ok = FALSE;
      }
  H5Fclose (file);
  if (!ok)
    g_prefix_error (error, _("%s: "), path);
  return ok ? g_steal_pointer (&race) : NULL;
}

ReliefRaceFile *
relief_race_file_load (const char *path, GError **error)
{
  ReliefH5Quiet quiet;
  ReliefRaceFile *race;

  relief_h5_quiet_begin (&quiet);
  race = race_load (path, error);
  relief_h5_quiet_end (&quiet);
  return race;
}

