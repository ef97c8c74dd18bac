#include "relief-config.h"

#include <glib/gi18n-lib.h>
#include <math.h>
#include <string.h>

#include "relief-enums.h"
#include "relief-generators.h"
#include "relief-lesson.h"
#include "relief-output.h"
#include "relief-race.h"

/* ---- Building and freeing ---- */

/* relief_plot_palette's order. */
static const char *const colour_names[] = { "blue", "orange", "green", "red", "purple", "brown", "pink", "grey",
                                            "olive", "cyan", NULL };
#define N_COLOURS ((int) G_N_ELEMENTS (colour_names) - 1)

const char *const *
relief_lesson_colour_names (void)
{
  return colour_names;
}

int
relief_lesson_racer_colour (int i)
{
  return ((i % N_COLOURS) + N_COLOURS) % N_COLOURS;
}

static void
racer_set (ReliefLessonRacer *r, const char *optimizer, double lr, double momentum, int i)
{
  r->optimizer = g_strdup (optimizer);
  r->lr = lr;
  r->momentum = momentum;
  r->beta1 = 0.9;
  r->beta2 = 0.999;
  r->colour = relief_lesson_racer_colour (i);
}

ReliefLesson *
relief_lesson_new_default (void)
{
  ReliefLesson *l = g_new0 (ReliefLesson, 1);
  ReliefLessonRace *race = &l->race;
  ReliefLessonPlayground *pg = &l->playground;

  l->title = g_strdup (_("Untitled lesson"));
  l->mode = RELIEF_LESSON_RACE;
  race->function = g_strdup ("quadratic");
  race->expression = g_strdup ("x^2 + 3*y^2");
  race->kappa = 10;
  race->theta = 0;
  race->view[0] = -2, race->view[1] = 2, race->view[2] = -2, race->view[3] = 2;
  race->start[0] = -1.5, race->start[1] = 1.5;
  race->steps_per_second = 20;
  race->n_racers = 3;
  race->racers = g_new0 (ReliefLessonRacer, race->n_racers);
  racer_set (&race->racers[0], "gd", 0.15, 0, 0);
  racer_set (&race->racers[1], "momentum", 0.05, 0.9, 1);
  racer_set (&race->racers[2], "adam", 0.1, 0, 2);
  pg->dataset = g_strdup ("spiral");
  pg->seed = 1;
  pg->n_layers = 1;
  pg->layers = g_new (int, 1);
  pg->layers[0] = 8;
  pg->activation = RELIEF_ACT_RELU;
  pg->lr = 0.03;
  pg->batch = 16;
  pg->l2 = 0;
  return l;
}

static void
preset_clear (ReliefLessonPreset *p)
{
  g_free (p->name);
  for (int i = 0; i < p->n_keys; i++)
    g_free (p->keys[i]), g_free (p->values[i]);
  g_free (p->keys);
  g_free (p->values);
}

void
relief_lesson_free (ReliefLesson *l)
{
  if (l == NULL)
    return;
  g_free (l->title);
  g_free (l->race.function);
  g_free (l->race.expression);
  for (int i = 0; i < l->race.n_racers; i++)
    g_free (l->race.racers[i].optimizer);
  g_free (l->race.racers);
  g_free (l->playground.dataset);
  g_free (l->playground.layers);
  g_free (l->playground.points);
  for (int i = 0; i < l->n_presets; i++)
    preset_clear (&l->presets[i]);
  g_free (l->presets);
  g_free (l);
}

ReliefLesson *
relief_lesson_copy (const ReliefLesson *l)
{
  g_autofree char *data = relief_lesson_to_data (l, NULL);
  g_autoptr(GError) error = NULL;
  ReliefLesson *copy = relief_lesson_load_data (data, strlen (data), "copy", &error);

  /* What to_data writes always reads back. */
  g_assert_no_error (error);
  return copy;
}

/* ---- Reading ---- */

/* Where the values come from, for errors: the text (for line numbers), its name, and the
 * preset being applied (its keys are found on its own lines). */
typedef struct {
  const char *text;
  const char *name;
  const char *preset_group;
} Source;

/* The 1-based line of key in group of text, 0 if not found. */
static int
find_line (const char *text, const char *group, const char *key)
{
  g_auto(GStrv) lines = g_strsplit (text ? text : "", "\n", -1);
  gboolean in_group = FALSE;

  for (int i = 0; lines[i] != NULL; i++)
    {
      const char *s = lines[i];

      while (*s == ' ' || *s == '\t')
        s++;
      if (*s == '[')
        {
          const char *end = strchr (s, ']');

          in_group = end && (gsize) (end - s - 1) == strlen (group) && strncmp (s + 1, group, end - s - 1) == 0;
          if (in_group && key == NULL)
            return i + 1;
          continue;
        }
      if (in_group && key && g_str_has_prefix (s, key))
        {
          const char *rest = s + strlen (key);

          while (*rest == ' ' || *rest == '\t')
            rest++;
          if (*rest == '=')
            return i + 1;
        }
    }
  return 0;
}

static gboolean G_GNUC_PRINTF (5, 6)
fail (const Source *src, GError **error, const char *group, const char *key, const char *format, ...)
{
  g_autofree char *why = NULL;
  g_autofree char *preset_key = NULL;
  const char *shown_group = group;
  const char *shown_key = key;
  int line = 0;
  va_list args;

  va_start (args, format);
  why = g_strdup_vprintf (format, args);
  va_end (args);
  if (src->preset_group && key)
    {
      preset_key = g_strdup_printf ("%s.%s", group, key);
      shown_group = src->preset_group, shown_key = preset_key;
      line = find_line (src->text, src->preset_group, preset_key);
    }
  else if (key)
    line = find_line (src->text, group, key);
  if (line == 0)
    line = find_line (src->text, shown_group, NULL);
  if (line > 0 && shown_key)
    g_set_error (error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_INVALID_VALUE, _("%s:%d: [%s] %s: %s"), src->name, line,
                 shown_group, shown_key, why);
  else if (shown_key)
    g_set_error (error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_INVALID_VALUE, _("%s: [%s] %s: %s"), src->name,
                 shown_group, shown_key, why);
  else if (line > 0)
    g_set_error (error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_INVALID_VALUE, _("%s:%d: [%s]: %s"), src->name, line,
                 shown_group, why);
  else
    g_set_error (error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_INVALID_VALUE, _("%s: [%s]: %s"), src->name, shown_group,
                 why);
  return FALSE;
}

/* A string key; missing: def (NULL: required). */
static char *
get_string (const Source *src, GKeyFile *kf, const char *group, const char *key, const char *def, GError **error)
{
  char *value;

  if (!g_key_file_has_key (kf, group, key, NULL))
    {
      if (def == NULL)
        fail (src, error, group, key, _("missing"));
      return g_strdup (def);
    }
  value = g_key_file_get_string (kf, group, key, NULL);
  if (value == NULL)
    fail (src, error, group, key, _("not a valid string"));
  return value;
}

/* A number in [min, max] (open at min when min_open); missing: def (NAN: required). */
static gboolean
get_number (const Source *src, GKeyFile *kf, const char *group, const char *key, double def, double min,
            gboolean min_open, double max, double *out, GError **error)
{
  g_autofree char *text = NULL;
  char *end;
  double v;

  if (!g_key_file_has_key (kf, group, key, NULL))
    {
      if (isnan (def))
        return fail (src, error, group, key, _("missing"));
      *out = def;
      return TRUE;
    }
  text = g_strstrip (g_key_file_get_value (kf, group, key, NULL));
  v = g_ascii_strtod (text, &end);
  if (*text == '\0' || *end != '\0' || !isfinite (v))
    return fail (src, error, group, key, _("“%s” is not a number"), text);
  if (v < min || (min_open && v == min) || v > max)
    {
      if (isinf (max))
        return fail (src, error, group, key, min_open ? _("%g must be greater than %g") : _("%g must be at least %g"),
                     v, min);
      return fail (src, error, group, key, min_open ? _("%g must be greater than %g and at most %g")
                                                    : _("%g must be between %g and %g"), v, min, max);
    }
  *out = v;
  return TRUE;
}

/* A list of exactly n numbers (n 0: any count, at most max_n), each finite. */
static double *
get_numbers (const Source *src, GKeyFile *kf, const char *group, const char *key, int n, int max_n, int *n_out,
             GError **error)
{
  g_autofree char *text = g_key_file_get_value (kf, group, key, NULL);
  g_auto(GStrv) parts = NULL;
  g_autofree double *values = NULL;
  int count = 0;

  if (text == NULL)
    {
      fail (src, error, group, key, _("missing"));
      return NULL;
    }
  parts = g_strsplit (text, ";", -1);
  values = g_new0 (double, g_strv_length (parts) + 1);
  for (int i = 0; parts[i] != NULL; i++)
    {
      char *part = g_strstrip (parts[i]);
      char *end;

      if (*part == '\0' && parts[i + 1] == NULL)
        break;
      values[count] = g_ascii_strtod (part, &end);
      if (*part == '\0' || *end != '\0' || !isfinite (values[count]))
        {
          fail (src, error, group, key, _("“%s” is not a number"), part);
          return NULL;
        }
      count++;
    }
  if ((n > 0 && count != n) || (n == 0 && count > max_n))
    {
      if (n > 0)
        fail (src, error, group, key, _("%d numbers separated by “;” are needed, not %d"), n, count);
      else
        fail (src, error, group, key, _("at most %d numbers, not %d"), max_n, count);
      return NULL;
    }
  *n_out = count;
  return g_steal_pointer (&values);
}

static gboolean
get_colour (const Source *src, GKeyFile *kf, const char *group, const char *key, int def, int *out, GError **error)
{
  g_autofree char *text = NULL;
  g_autofree char *names = NULL;

  if (!g_key_file_has_key (kf, group, key, NULL))
    {
      *out = def;
      return TRUE;
    }
  text = g_strstrip (g_key_file_get_value (kf, group, key, NULL));
  for (int i = 0; i < N_COLOURS; i++)
    if (g_ascii_strcasecmp (text, colour_names[i]) == 0)
      {
        *out = i;
        return TRUE;
      }
  names = g_strjoinv (", ", (char **) colour_names);
  return fail (src, error, group, key, _("no colour “%s”: one of %s"), text, names);
}

static gboolean
is_builtin (const char *name)
{
  const char *const *names = relief_function_builtins ();

  for (int i = 0; names[i] != NULL; i++)
    if (strcmp (names[i], name) == 0)
      return TRUE;
  return FALSE;
}

static char *
builtin_list (void)
{
  g_autofree char *names = g_strjoinv (", ", (char **) relief_function_builtins ());

  return g_strdup_printf ("%s, expression", names);
}

static gboolean
read_race (const Source *src, GKeyFile *kf, ReliefLessonRace *race, GError **error)
{
  const char *g = "Race";
  int n = 0;
  g_autofree double *view = NULL;
  g_autofree double *start = NULL;
  g_autoptr(ReliefFunction) f = NULL;

  if (!(race->function = get_string (src, kf, g, "function", "quadratic", error)))
    return FALSE;
  if (strcmp (race->function, "expression") != 0 && !is_builtin (race->function))
    {
      g_autofree char *list = builtin_list ();

      return fail (src, error, g, "function", _("no function “%s”: one of %s"), race->function, list);
    }
  if (!(race->expression = get_string (src, kf, g, "expression", "", error)))
    return FALSE;
  if (!get_number (src, kf, g, "kappa", 10, 1, FALSE, 1e8, &race->kappa, error)
      || !get_number (src, kf, g, "theta", 0, -360, FALSE, 360, &race->theta, error)
      || !get_number (src, kf, g, "steps_per_second", 20, 0, TRUE, 1000, &race->steps_per_second, error))
    return FALSE;
  if (strcmp (race->function, "expression") == 0)
    {
      g_autoptr(GError) parse_error = NULL;

      if (!(f = relief_function_new_expression (race->expression, &parse_error)))
        return fail (src, error, g, "expression", "%s", parse_error->message);
    }
  else if (!(f = relief_function_new_builtin (race->function, race->kappa, race->theta * G_PI / 180, error)))
    return FALSE;
  if (!g_key_file_has_key (kf, g, "view", NULL))
    relief_function_default_view (f, &race->view[0], &race->view[1], &race->view[2], &race->view[3]);
  else
    {
      if (!(view = get_numbers (src, kf, g, "view", 4, 4, &n, error)))
        return FALSE;
      if (!(view[0] < view[1] && view[2] < view[3]))
        return fail (src, error, g, "view", _("xmin;xmax;ymin;ymax with xmin < xmax and ymin < ymax"));
      memcpy (race->view, view, sizeof race->view);
    }
  if (!g_key_file_has_key (kf, g, "start", NULL))
    relief_function_default_start (f, &race->start[0], &race->start[1]);
  else
    {
      if (!(start = get_numbers (src, kf, g, "start", 2, 2, &n, error)))
        return FALSE;
      memcpy (race->start, start, sizeof race->start);
    }
  return TRUE;
}

static gboolean
read_racer (const Source *src, GKeyFile *kf, const char *g, int i, ReliefLessonRacer *r, GError **error)
{
  ReliefRacer check = { 0 };
  g_autoptr(GError) name_error = NULL;

  if (!(r->optimizer = get_string (src, kf, g, "optimizer", NULL, error)))
    return FALSE;
  if (!relief_racer_init (&check, r->optimizer, 0.1, &name_error))
    return fail (src, error, g, "optimizer", "%s", name_error->message);
  relief_racer_clear (&check);
  return get_number (src, kf, g, "lr", NAN, 0, TRUE, 1e6, &r->lr, error)
         && get_number (src, kf, g, "momentum", 0.9, 0, FALSE, 0.999999, &r->momentum, error)
         && get_number (src, kf, g, "beta1", 0.9, 0, FALSE, 0.999999, &r->beta1, error)
         && get_number (src, kf, g, "beta2", 0.999, 0, FALSE, 0.999999, &r->beta2, error)
         && get_colour (src, kf, g, "colour", relief_lesson_racer_colour (i), &r->colour, error);
}

static gboolean
read_playground (const Source *src, GKeyFile *kf, ReliefLessonPlayground *pg, GError **error)
{
  const char *g = "Playground";
  g_autofree char *activation = NULL;
  g_autofree double *layers = NULL;
  double seed, batch;
  int act;

  if (!(pg->dataset = get_string (src, kf, g, "dataset", "spiral", error)))
    return FALSE;
  if (strcmp (pg->dataset, "points") != 0 && !relief_generator_exists (pg->dataset))
    {
      g_autofree char *names = g_strjoinv (", ", (char **) relief_generator_names ());

      return fail (src, error, g, "dataset", _("no data set “%s”: one of %s, points"), pg->dataset, names);
    }
  if (!get_number (src, kf, g, "seed", 1, 0, FALSE, 9007199254740992.0, &seed, error))
    return FALSE;
  if (seed != floor (seed))
    return fail (src, error, g, "seed", _("a whole number is needed"));
  pg->seed = (guint64) seed;
  if (g_key_file_has_key (kf, g, "layers", NULL))
    {
      if (!(layers = get_numbers (src, kf, g, "layers", 0, RELIEF_LESSON_MAX_LAYERS, &pg->n_layers, error)))
        return FALSE;
    }
  else
    {
      layers = g_new (double, 1);
      layers[0] = 8;
      pg->n_layers = 1;
    }
  pg->layers = g_new0 (int, MAX (pg->n_layers, 1));
  for (int i = 0; i < pg->n_layers; i++)
    {
      if (layers[i] != floor (layers[i]) || layers[i] < 1 || layers[i] > RELIEF_LESSON_MAX_WIDTH)
        return fail (src, error, g, "layers", _("widths are whole numbers from 1 to %d, not %g"),
                     RELIEF_LESSON_MAX_WIDTH, layers[i]);
      pg->layers[i] = (int) layers[i];
    }
  if (!(activation = get_string (src, kf, g, "activation", "relu", error)))
    return FALSE;
  {
    g_autoptr(GError) enum_error = NULL;

    if (!relief_enum_from_nick (RELIEF_TYPE_ACTIVATION, activation, &act, &enum_error))
      return fail (src, error, g, "activation", "%s", enum_error->message);
    pg->activation = act;
  }
  if (!get_number (src, kf, g, "lr", 0.03, 0, TRUE, 100, &pg->lr, error)
      || !get_number (src, kf, g, "batch", 16, 1, FALSE, 4096, &batch, error)
      || !get_number (src, kf, g, "l2", 0, 0, FALSE, 10, &pg->l2, error))
    return FALSE;
  if (batch != floor (batch))
    return fail (src, error, g, "batch", _("a whole number is needed"));
  pg->batch = (int) batch;
  if (g_key_file_has_key (kf, g, "regions", NULL))
    {
      g_autoptr(GError) bool_error = NULL;

      pg->regions = g_key_file_get_boolean (kf, g, "regions", &bool_error);
      if (bool_error)
        return fail (src, error, g, "regions", _("true or false"));
    }
  if (g_key_file_has_key (kf, g, "points", NULL))
    {
      int n = 0;

      pg->points = get_numbers (src, kf, g, "points", 0, 3 * RELIEF_LESSON_MAX_POINTS, &n, error);
      if (pg->points == NULL)
        return FALSE;
      if (n % 3 != 0)
        return fail (src, error, g, "points", _("x;y;class for each point: %d numbers is not a multiple of 3"), n);
      pg->n_points = n / 3;
      for (int i = 0; i < pg->n_points; i++)
        if (pg->points[3 * i + 2] != 0 && pg->points[3 * i + 2] != 1)
          return fail (src, error, g, "points", _("point %d’s class is %g: 0 or 1"), i + 1, pg->points[3 * i + 2]);
    }
  if (strcmp (pg->dataset, "points") == 0 && pg->n_points > 0)
    {
      gboolean seen[2] = { FALSE, FALSE };

      for (int i = 0; i < pg->n_points; i++)
        seen[(int) pg->points[3 * i + 2]] = TRUE;
      if (!seen[0] || !seen[1])
        return fail (src, error, g, "points", _("points of both classes are needed"));
    }
  return TRUE;
}

/* "Racer N" and "Preset N" groups: N from 1, in order, without gaps. */
static int
count_numbered (const Source *src, GKeyFile *kf, const char *prefix, int max, GError **error)
{
  g_auto(GStrv) groups = g_key_file_get_groups (kf, NULL);
  int n = 0;

  for (int i = 0; groups[i] != NULL; i++)
    {
      const char *g = groups[i];
      char *end;
      gint64 k;

      if (strcmp (g, "Lesson") == 0 || strcmp (g, "Race") == 0 || strcmp (g, "Playground") == 0)
        continue;
      if (!g_str_has_prefix (g, prefix) || g[strlen (prefix)] != ' ')
        {
          if (!g_str_has_prefix (g, "Racer ") && !g_str_has_prefix (g, "Preset "))
            {
              fail (src, error, g, NULL, _("unknown group: Lesson, Race, Racer N, Playground and Preset N are known"));
              return -1;
            }
          continue;
        }
      k = g_ascii_strtoll (g + strlen (prefix) + 1, &end, 10);
      if (*end != '\0' || k < 1 || k > max)
        {
          fail (src, error, g, NULL, _("%s groups are numbered 1 to %d"), prefix, max);
          return -1;
        }
      n = MAX (n, (int) k);
    }
  for (int k = 1; k <= n; k++)
    {
      g_autofree char *g = g_strdup_printf ("%s %d", prefix, k);

      if (!g_key_file_has_group (kf, g))
        {
          g_autofree char *last = g_strdup_printf ("%s %d", prefix, n);

          fail (src, error, last, NULL, _("[%s] is missing: %s groups are numbered from 1 without gaps"), g, prefix);
          return -1;
        }
    }
  return n;
}

static gboolean
read_preset (const Source *src, GKeyFile *kf, const char *g, ReliefLessonPreset *p, GError **error)
{
  g_auto(GStrv) keys = g_key_file_get_keys (kf, g, NULL, NULL);
  int n = 0;

  if (!(p->name = get_string (src, kf, g, "name", NULL, error)))
    return FALSE;
  p->keys = g_new0 (char *, g_strv_length (keys) + 1);
  p->values = g_new0 (char *, g_strv_length (keys) + 1);
  for (int i = 0; keys[i] != NULL; i++)
    {
      const char *dot = strrchr (keys[i], '.');

      if (strcmp (keys[i], "name") == 0)
        continue;
      if (dot == NULL || dot == keys[i] || dot[1] == '\0')
        return fail (src, error, g, keys[i], _("a preset’s keys are GROUP.KEY, e.g. Race.kappa or Racer 1.lr"));
      p->keys[n] = g_strdup (keys[i]);
      p->values[n] = g_key_file_get_value (kf, g, keys[i], NULL);
      n++;
    }
  p->n_keys = n;
  return TRUE;
}

static ReliefLesson *apply_preset (const ReliefLesson *l, int i, const Source *base, GError **error);

static ReliefLesson *
read_key_file (const Source *src, GKeyFile *kf, gboolean with_presets, GError **error)
{
  g_autoptr(ReliefLesson) l = g_new0 (ReliefLesson, 1);
  g_autofree char *mode = NULL;
  int n;

  if (!g_key_file_has_group (kf, "Lesson"))
    {
      g_set_error (error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_GROUP_NOT_FOUND,
                   _("%s: not a lesson: a [Lesson] group is needed"), src->name);
      return NULL;
    }
  if (!(l->title = get_string (src, kf, "Lesson", "title", "", error))
      || !(mode = get_string (src, kf, "Lesson", "mode", "race", error)))
    return NULL;
  if (strcmp (mode, "race") == 0)
    l->mode = RELIEF_LESSON_RACE;
  else if (strcmp (mode, "playground") == 0)
    l->mode = RELIEF_LESSON_PLAYGROUND;
  else
    {
      fail (src, error, "Lesson", "mode", _("“%s”: race or playground"), mode);
      return NULL;
    }
  if (!read_race (src, kf, &l->race, error))
    return NULL;
  if ((n = count_numbered (src, kf, "Racer", RELIEF_LESSON_MAX_RACERS, error)) < 0)
    return NULL;
  l->race.racers = g_new0 (ReliefLessonRacer, MAX (n, 1));
  for (int i = 0; i < n; i++)
    {
      g_autofree char *g = g_strdup_printf ("Racer %d", i + 1);

      l->race.n_racers = i + 1;
      if (!read_racer (src, kf, g, i, &l->race.racers[i], error))
        return NULL;
    }
  if (!read_playground (src, kf, &l->playground, error))
    return NULL;
  if (!with_presets)
    return g_steal_pointer (&l);
  if ((n = count_numbered (src, kf, "Preset", RELIEF_LESSON_MAX_PRESETS, error)) < 0)
    return NULL;
  l->presets = g_new0 (ReliefLessonPreset, MAX (n, 1));
  for (int i = 0; i < n; i++)
    {
      g_autofree char *g = g_strdup_printf ("Preset %d", i + 1);

      l->n_presets = i + 1;
      if (!read_preset (src, kf, g, &l->presets[i], error))
        return NULL;
    }
  /* Every preset is checked now, so that pressing its key in class cannot fail. */
  for (int i = 0; i < n; i++)
    {
      g_autoptr(ReliefLesson) applied = apply_preset (l, i, src, error);

      if (applied == NULL)
        return NULL;
    }
  return g_steal_pointer (&l);
}

ReliefLesson *
relief_lesson_load_data (const char *data, gsize length, const char *name, GError **error)
{
  g_autoptr(GKeyFile) kf = g_key_file_new ();
  g_autoptr(GError) local = NULL;
  g_autofree char *text = g_strndup (data, length);
  Source src = { text, name, NULL };

  if (!g_utf8_validate (text, -1, NULL) || strlen (text) != length)
    {
      g_set_error (error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_PARSE, _("%s: not a lesson: not UTF-8 text"), name);
      return NULL;
    }
  if (!g_key_file_load_from_data (kf, text, length, G_KEY_FILE_NONE, &local))
    {
      g_set_error (error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_PARSE, "%s: %s", name, local->message);
      return NULL;
    }
  return read_key_file (&src, kf, TRUE, error);
}

ReliefLesson *
relief_lesson_load (const char *path, GError **error)
{
  g_autofree char *data = NULL;
  g_autofree char *name = g_filename_display_basename (path);
  gsize length;

  if (!g_file_get_contents (path, &data, &length, error))
    return NULL;
  return relief_lesson_load_data (data, length, name, error);
}

/* ---- Writing ---- */

/* The shortest text that reads back as v. */
static void
set_number (GKeyFile *kf, const char *group, const char *key, double v)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];

  for (int digits = 6; digits <= 17; digits++)
    {
      char format[8];

      g_snprintf (format, sizeof format, "%%.%dg", digits);
      g_ascii_formatd (buf, sizeof buf, format, v);
      if (g_ascii_strtod (buf, NULL) == v)
        break;
    }
  g_key_file_set_value (kf, group, key, buf);
}

static char *
format_numbers (const double *v, int n)
{
  GString *s = g_string_new (NULL);
  g_autoptr(GKeyFile) scratch = g_key_file_new ();

  for (int i = 0; i < n; i++)
    {
      g_autofree char *one = NULL;

      set_number (scratch, "x", "x", v[i]);
      one = g_key_file_get_value (scratch, "x", "x", NULL);
      g_string_append (s, one);
      g_string_append_c (s, ';');
    }
  return g_string_free (s, FALSE);
}

static void
set_numbers (GKeyFile *kf, const char *group, const char *key, const double *v, int n)
{
  g_autofree char *text = format_numbers (v, n);

  g_key_file_set_value (kf, group, key, text);
}

static GKeyFile *
to_key_file (const ReliefLesson *l)
{
  GKeyFile *kf = g_key_file_new ();
  const ReliefLessonRace *race = &l->race;
  const ReliefLessonPlayground *pg = &l->playground;

  g_key_file_set_string (kf, "Lesson", "title", l->title);
  g_key_file_set_string (kf, "Lesson", "mode", l->mode == RELIEF_LESSON_RACE ? "race" : "playground");
  g_key_file_set_comment (kf, NULL, NULL, " A Relief lesson (docs/file-formats.md): edit by hand, keys as below.", NULL);
  g_key_file_set_string (kf, "Race", "function", race->function);
  g_key_file_set_string (kf, "Race", "expression", race->expression);
  set_number (kf, "Race", "kappa", race->kappa);
  set_number (kf, "Race", "theta", race->theta);
  set_numbers (kf, "Race", "view", race->view, 4);
  set_numbers (kf, "Race", "start", race->start, 2);
  set_number (kf, "Race", "steps_per_second", race->steps_per_second);
  for (int i = 0; i < race->n_racers; i++)
    {
      const ReliefLessonRacer *r = &race->racers[i];
      g_autofree char *g = g_strdup_printf ("Racer %d", i + 1);

      g_key_file_set_string (kf, g, "optimizer", r->optimizer);
      set_number (kf, g, "lr", r->lr);
      set_number (kf, g, "momentum", r->momentum);
      set_number (kf, g, "beta1", r->beta1);
      set_number (kf, g, "beta2", r->beta2);
      g_key_file_set_string (kf, g, "colour", colour_names[relief_lesson_racer_colour (r->colour)]);
    }
  {
    g_autofree double *layers = g_new0 (double, MAX (pg->n_layers, 1));
    g_autofree char *seed = g_strdup_printf ("%" G_GUINT64_FORMAT, pg->seed);

    for (int i = 0; i < pg->n_layers; i++)
      layers[i] = pg->layers[i];
    g_key_file_set_string (kf, "Playground", "dataset", pg->dataset);
    g_key_file_set_value (kf, "Playground", "seed", seed);
    set_numbers (kf, "Playground", "layers", layers, pg->n_layers);
    g_key_file_set_string (kf, "Playground", "activation", relief_enum_to_nick (RELIEF_TYPE_ACTIVATION, pg->activation));
    set_number (kf, "Playground", "lr", pg->lr);
    g_key_file_set_integer (kf, "Playground", "batch", pg->batch);
    set_number (kf, "Playground", "l2", pg->l2);
    g_key_file_set_boolean (kf, "Playground", "regions", pg->regions);
    if (pg->n_points > 0)
      set_numbers (kf, "Playground", "points", pg->points, 3 * pg->n_points);
  }
  for (int i = 0; i < l->n_presets; i++)
    {
      const ReliefLessonPreset *p = &l->presets[i];
      g_autofree char *g = g_strdup_printf ("Preset %d", i + 1);

      g_key_file_set_string (kf, g, "name", p->name);
      for (int k = 0; k < p->n_keys; k++)
        g_key_file_set_value (kf, g, p->keys[k], p->values[k]);
    }
  return kf;
}

char *
relief_lesson_to_data (const ReliefLesson *l, gsize *length)
{
  g_autoptr(GKeyFile) kf = to_key_file (l);

  return g_key_file_to_data (kf, length, NULL);
}

gboolean
relief_lesson_save (const ReliefLesson *l, const char *path, GError **error)
{
  gsize length;
  g_autofree char *data = relief_lesson_to_data (l, &length);

  return relief_output_save (path, data, length, error);
}

static ReliefLesson *
apply_preset (const ReliefLesson *l, int i, const Source *base, GError **error)
{
  g_autoptr(GKeyFile) kf = NULL;
  g_autofree char *group = NULL;
  ReliefLesson *applied;
  Source src = { base->text, base->name, NULL };

  kf = to_key_file (l);
  for (int k = 0; k < l->presets[i].n_keys; k++)
    {
      const char *key = l->presets[i].keys[k];
      const char *dot = strrchr (key, '.');
      g_autofree char *g = g_strndup (key, dot - key);

      g_key_file_set_value (kf, g, dot + 1, l->presets[i].values[k]);
    }
  group = g_strdup_printf ("Preset %d", i + 1);
  src.preset_group = group;
  applied = read_key_file (&src, kf, FALSE, error);
  if (applied == NULL)
    return NULL;
  /* The presets stay, so that another number key chooses another variant of the lesson. */
  applied->n_presets = l->n_presets;
  applied->presets = g_new0 (ReliefLessonPreset, MAX (l->n_presets, 1));
  for (int p = 0; p < l->n_presets; p++)
    {
      ReliefLessonPreset *dst = &applied->presets[p];
      const ReliefLessonPreset *from = &l->presets[p];

      dst->name = g_strdup (from->name);
      dst->n_keys = from->n_keys;
      dst->keys = g_new0 (char *, from->n_keys + 1);
      dst->values = g_new0 (char *, from->n_keys + 1);
      for (int k = 0; k < from->n_keys; k++)
        dst->keys[k] = g_strdup (from->keys[k]), dst->values[k] = g_strdup (from->values[k]);
    }
  return applied;
}

ReliefLesson *
relief_lesson_apply_preset (const ReliefLesson *l, int i, GError **error)
{
  Source src = { NULL, NULL, NULL };

  g_return_val_if_fail (i >= 0 && i < l->n_presets, NULL);
  src.name = l->presets[i].name;
  return apply_preset (l, i, &src, error);
}
