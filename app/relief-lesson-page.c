#include "relief-config.h"

#include <adwaita.h>
#include <glib/gi18n-lib.h>
#include <math.h>
#include <string.h>

#include "relief-controls.h"
#include "relief-decision-job.h"
#include "relief-enums.h"
#include "relief-figures.h"
#include "relief-plot-anim.h"
#include "relief-generators.h"
#include "relief-lesson-page.h"
#include "relief-live-curves.h"
#include "relief-race.h"
#include "relief-race-file.h"
#include "relief-race-job.h"
#include "relief-regions.h"
#include "relief-train.h"
#include "relief-work-dir.h"
#include "relief-worker.h"

/* The race stops here: the trails of a lesson, not an experiment. */
#define MAX_RACE_STEPS 5000
/* The function's grid behind the contours. */
#define GRID 160

static const char *const optimizer_names[] = { "gd", "momentum", "nesterov", "adagrad", "rmsprop", "adam", "adamw",
                                               "sign", NULL };
static const char *const optimizer_labels[] = { N_("GD"), N_("Momentum"), N_("Nesterov"), N_("Adagrad"),
                                                N_("RMSprop"), N_("Adam"), N_("AdamW"), N_("Sign descent"), NULL };
/* The shipped lessons, resources/lessons/NAME.relief-lesson. */
static const char *const shipped_lessons[] = { "ravine-and-momentum", "saddle", "two-over-lambda-cliff",
                                               "spiral-growing-network" };

/* One racer's controls. */
typedef struct {
  GtkWidget      *box;
  GtkDropDown    *optimizer;
  GtkDropDown    *colour;
  GtkSpinButton  *lr;
  GtkScale       *lr_scale;
  GtkWidget      *momentum_box, *betas_box;
  GtkSpinButton  *momentum, *beta1, *beta2;
  gboolean        linear;        /* the slider's scale (lr_to_scale) */
  GtkLabel       *limits;        /* lambda_max and the limits, beside the slider */
} RacerRow;

struct _ReliefLessonPage {
  ReliefPage parent_instance;

  /* template widgets */
  GtkWidget      *paned;
  GtkWidget      *sidebar;
  AdwViewStack   *mode_stack;
  AdwComboRow    *function_row;
  GtkStringList  *function_list;
  AdwEntryRow    *expression_row;
  GtkLabel       *expression_error;
  GtkWidget      *kappa_row;
  GtkRange       *kappa_scale;
  GtkWidget      *theta_row;
  GtkRange       *theta_scale;
  GtkLabel       *lambda_label;
  GtkBox         *racers_box;
  AdwComboRow    *dataset_row;
  GtkStringList  *dataset_list;
  GtkBox         *layers_box;
  AdwComboRow    *activation_row;
  GtkStringList  *activation_list;
  GtkSpinButton  *pg_lr_spin;
  GtkSpinButton  *pg_batch_spin;
  GtkSpinButton  *pg_l2_spin;
  GtkWidget      *regions_row;
  GtkSwitch      *regions_switch;
  GtkButton      *play_button;
  GtkToggleButton *present_button;
  GtkRange       *speed_scale;
  GtkLabel       *speed_label;
  GtkWidget      *speed_box;
  GtkWidget      *reset_view_button;
  GtkLabel       *title_label;
  GtkLabel       *status_label;
  GtkLabel       *readout_label;
  GtkProgressBar *progress_bar;
  GtkDrawingArea *map_area;
  GMenu          *shipped_section;
  GMenu          *presets_section;

  /* owned */
  ReliefLesson   *lesson;          /* what was opened or loaded last: its title and presets */
  GPtrArray      *racer_rows;      /* RacerRow */
  GPtrArray      *layer_spins;     /* GtkSpinButton, the hidden layers' widths */
  gboolean        updating;        /* controls being set from a lesson: no reaction */
  ReliefBackend  *backend;         /* the racers' steps */
  ReliefFunction *function;
  ReliefRace     *race;
  char           *race_error;      /* why there is no race (a bad expression) */
  double          start[2];
  double          view[4];
  double          home_view[4];    /* what Reset view goes back to: the lesson's, the function's */
  double          drag_view[4];    /* the view when a pan began */
  double          pointer[2];      /* the pointer over the map, in its pixels */
  ReliefRaceGrid *grid;            /* the function over the view */
  guint           tick_id;
  gint64          last_frame_us;
  double          step_debt;       /* steps due but not yet taken (fractions of a frame) */
  gboolean        race_playing;
  ReliefPlotFrame map_frame;       /* in pixels of map_area */
  gboolean        has_map_frame;
  /* presentation */
  gboolean        presenting;
  double          scale;
  GtkEventController *window_keys; /* on the window (root), capture phase: the lesson's keys */
  /* playground */
  ReliefWorker   *pg_job;
  struct PlayWork *pg_work;
  gboolean        pg_playing;
  gint64          pg_steps;
  ReliefDecisionMap *pg_map;
  ReliefRegions  *pg_regions;      /* the map's linear regions, with the switch on */
  char           *pg_regions_error;
  ReliefLiveCurves *pg_curves;
  GArray         *points;          /* clicked in: x, y, class as doubles */
  double          pg_plane[4];     /* the clicked points' plane */
  struct AnimWork *anim_work;      /* the GIF being written, the page's job */
};

G_DEFINE_FINAL_TYPE (ReliefLessonPage, relief_lesson_page, RELIEF_TYPE_PAGE)

enum {
  PROP_0,
  PROP_SCALE,
  PROP_PRESENTING,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum { TRAIN_LOSS, TEST_LOSS, TRAIN_ACC, TEST_ACC, N_CURVES };

static void rebuild_race (ReliefLessonPage *self);
static void pg_restart (ReliefLessonPage *self);
static void update_transport (ReliefLessonPage *self);
static void on_speed_changed (ReliefLessonPage *self);
static void read_controls (ReliefLessonPage *self, ReliefLesson *l);

static gboolean
race_mode (ReliefLessonPage *self)
{
  return g_strcmp0 (adw_view_stack_get_visible_child_name (self->mode_stack), "playground") != 0;
}

/* ---- Racers' controls ---- */

/* The lr slider: linear around the quadratic's limits (where the class looks at them),
 * log over 1e-4 .. 10 elsewhere. */
static double
lr_to_scale (RacerRow *row, double lr)
{
  return row->linear ? lr : log10 (lr);
}

static double
scale_to_lr (RacerRow *row, double v)
{
  return row->linear ? v : pow (10, v);
}

static const char *
row_optimizer (RacerRow *row)
{
  guint i = gtk_drop_down_get_selected (row->optimizer);

  return i < G_N_ELEMENTS (optimizer_names) - 1 ? optimizer_names[i] : "gd";
}

static gboolean
uses_momentum (const char *name)
{
  return strcmp (name, "momentum") == 0 || strcmp (name, "nesterov") == 0;
}

static gboolean
uses_betas (const char *name)
{
  return strcmp (name, "adam") == 0 || strcmp (name, "adamw") == 0 || strcmp (name, "rmsprop") == 0;
}

static void on_lr_scale (GtkRange *range, RacerRow *row);

/* The lr slider's range and marks: GD's limit 2 / lambda_max, heavy ball's
 * 2 (1 + beta) / lambda_max and Nesterov's 2 (1 + beta) / ((1 + 2 beta) lambda_max). */
static void
update_marks (ReliefLessonPage *self, RacerRow *row)
{
  double lmax = self->function ? relief_function_lambda_max (self->function) : NAN;
  const char *name = row_optimizer (row);
  double beta = gtk_spin_button_get_value (row->momentum);
  double lr = gtk_spin_button_get_value (row->lr);
  double limit = NAN;
  const char *limit_label = NULL;

  gtk_widget_set_visible (row->momentum_box, uses_momentum (name));
  gtk_widget_set_visible (row->betas_box, uses_betas (name));
  gtk_widget_set_visible (GTK_WIDGET (row->beta1), strcmp (name, "rmsprop") != 0);
  if (isfinite (lmax) && lmax > 0 && strcmp (name, "momentum") == 0)
    limit = 2 * (1 + beta) / lmax, limit_label = "2(1+β)/λ";
  else if (isfinite (lmax) && lmax > 0 && strcmp (name, "nesterov") == 0)
    limit = 2 * (1 + beta) / ((1 + 2 * beta) * lmax), limit_label = "2(1+β)/(1+2β)λ";
  g_signal_handlers_block_by_func (row->lr_scale, on_lr_scale, row);
  gtk_scale_clear_marks (row->lr_scale);
  row->linear = isfinite (lmax) && lmax > 0;
  if (row->linear)
    gtk_range_set_range (GTK_RANGE (row->lr_scale), 0, MAX (2.5 * 2 / lmax, isfinite (limit) ? 1.4 * limit : 0));
  else
    gtk_range_set_range (GTK_RANGE (row->lr_scale), -4, 1);
  gtk_range_set_increments (GTK_RANGE (row->lr_scale), row->linear ? 0.001 / lmax : 0.01,
                            row->linear ? 0.1 / lmax : 0.1);
  gtk_range_set_value (GTK_RANGE (row->lr_scale), lr_to_scale (row, lr));
  gtk_widget_set_visible (GTK_WIDGET (row->limits), row->linear);
  if (row->linear)
    {
      g_autofree char *text = limit_label ? g_strdup_printf ("λ_max = %.4g   2/λ_max = %.4g   %s = %.4g", lmax,
                                                             2 / lmax, limit_label, limit)
                                          : g_strdup_printf ("λ_max = %.4g   2/λ_max = %.4g", lmax, 2 / lmax);

      gtk_label_set_text (row->limits, text);
      gtk_scale_add_mark (row->lr_scale, 2 / lmax, GTK_POS_BOTTOM, "2/λ");
      if (limit_label)
        gtk_scale_add_mark (row->lr_scale, limit, GTK_POS_TOP, limit_label);
    }
  g_signal_handlers_unblock_by_func (row->lr_scale, on_lr_scale, row);
}

static void
on_racer_changed (ReliefLessonPage *self)
{
  if (self->updating)
    return;
  for (guint i = 0; i < self->racer_rows->len; i++)
    update_marks (self, g_ptr_array_index (self->racer_rows, i));
  rebuild_race (self);
}

static void
on_lr_scale (GtkRange *range, RacerRow *row)
{
  double lr = scale_to_lr (row, gtk_range_get_value (range));

  /* The spin's own lower bound: a linear slider reaches 0. */
  if (fabs (lr - gtk_spin_button_get_value (row->lr)) > 1e-9 * lr)
    gtk_spin_button_set_value (row->lr, lr);
}

static void
on_lr_spin (GtkSpinButton *spin, RacerRow *row)
{
  double v = lr_to_scale (row, gtk_spin_button_get_value (spin));

  if (fabs (v - gtk_range_get_value (GTK_RANGE (row->lr_scale))) > 1e-9)
    gtk_range_set_value (GTK_RANGE (row->lr_scale), v);
}

static GtkSpinButton *
small_spin (double lower, double upper, double step, int digits)
{
  GtkSpinButton *spin = GTK_SPIN_BUTTON (gtk_spin_button_new_with_range (lower, upper, step));

  gtk_spin_button_set_digits (spin, digits);
  gtk_widget_set_valign (GTK_WIDGET (spin), GTK_ALIGN_CENTER);
  return spin;
}

static GtkWidget *
labelled (const char *text, GtkWidget *child)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  GtkWidget *label = gtk_label_new (text);

  gtk_widget_add_css_class (label, "dim-label");
  gtk_box_append (GTK_BOX (box), label);
  gtk_box_append (GTK_BOX (box), child);
  return box;
}

static void remove_racer (GtkButton *button, ReliefLessonPage *self);

/* The colour chooser's entries: a swatch in the palette colour the figures draw the racer
 * in (relief_plot_palette of the same index), and its name as lesson files spell it. */
static void
draw_swatch (GtkDrawingArea *area, cairo_t *cr, int width, int height, gpointer user_data)
{
  double rgb[3];

  relief_plot_palette (GPOINTER_TO_INT (g_object_get_data (G_OBJECT (area), "relief-colour")), rgb);
  cairo_rectangle (cr, 0.5, 0.5, width - 1, height - 1);
  cairo_set_source_rgb (cr, rgb[0], rgb[1], rgb[2]);
  cairo_fill_preserve (cr);
  cairo_set_source_rgba (cr, 0, 0, 0, 0.4);
  cairo_set_line_width (cr, 1);
  cairo_stroke (cr);
}

static void
swatch_setup (GtkSignalListItemFactory *factory, GtkListItem *item, gpointer user_data)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  GtkWidget *swatch = gtk_drawing_area_new ();

  gtk_drawing_area_set_content_width (GTK_DRAWING_AREA (swatch), 14);
  gtk_drawing_area_set_content_height (GTK_DRAWING_AREA (swatch), 14);
  gtk_widget_set_valign (swatch, GTK_ALIGN_CENTER);
  gtk_drawing_area_set_draw_func (GTK_DRAWING_AREA (swatch), draw_swatch, NULL, NULL);
  gtk_box_append (GTK_BOX (box), swatch);
  gtk_box_append (GTK_BOX (box), gtk_label_new (NULL));
  gtk_list_item_set_child (item, box);
}

static void
swatch_bind (GtkSignalListItemFactory *factory, GtkListItem *item, gpointer user_data)
{
  GtkWidget *box = gtk_list_item_get_child (item);
  GtkWidget *swatch = gtk_widget_get_first_child (box);

  g_object_set_data (G_OBJECT (swatch), "relief-colour", GINT_TO_POINTER ((int) gtk_list_item_get_position (item)));
  gtk_widget_queue_draw (swatch);
  gtk_label_set_text (GTK_LABEL (gtk_widget_get_next_sibling (swatch)),
                      gtk_string_object_get_string (gtk_list_item_get_item (item)));
}

static GtkDropDown *
colour_chooser (void)
{
  GtkDropDown *chooser = GTK_DROP_DOWN (gtk_drop_down_new_from_strings (relief_lesson_colour_names ()));
  g_autoptr(GtkListItemFactory) factory = gtk_signal_list_item_factory_new ();

  g_signal_connect (factory, "setup", G_CALLBACK (swatch_setup), NULL);
  g_signal_connect (factory, "bind", G_CALLBACK (swatch_bind), NULL);
  gtk_drop_down_set_factory (chooser, factory);
  return chooser;
}

static RacerRow *
add_racer_row (ReliefLessonPage *self, const ReliefLessonRacer *r)
{
  RacerRow *row = g_new0 (RacerRow, 1);
  GtkWidget *head = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  GtkWidget *lr_box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  GtkWidget *remove = gtk_button_new_from_icon_name ("list-remove-symbolic");
  g_autoptr(GPtrArray) labels = g_ptr_array_new ();
  int index = 0;

  for (int i = 0; optimizer_labels[i] != NULL; i++)
    g_ptr_array_add (labels, (gpointer) _(optimizer_labels[i]));
  g_ptr_array_add (labels, NULL);
  row->box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 4);
  gtk_widget_add_css_class (row->box, "card");
  gtk_widget_add_css_class (row->box, "relief-racer");
  row->colour = colour_chooser ();
  gtk_drop_down_set_selected (row->colour, relief_lesson_racer_colour (r->colour));
  gtk_widget_set_tooltip_text (GTK_WIDGET (row->colour), _("The racer’s colour"));
  row->optimizer = GTK_DROP_DOWN (gtk_drop_down_new_from_strings ((const char *const *) labels->pdata));
  for (int i = 0; optimizer_names[i] != NULL; i++)
    if (strcmp (optimizer_names[i], r->optimizer) == 0)
      index = i;
  gtk_drop_down_set_selected (row->optimizer, index);
  gtk_widget_set_hexpand (GTK_WIDGET (row->optimizer), TRUE);
  gtk_widget_set_tooltip_text (remove, _("Remove this racer"));
  gtk_widget_add_css_class (remove, "flat");
  gtk_box_append (GTK_BOX (head), GTK_WIDGET (row->colour));
  gtk_box_append (GTK_BOX (head), GTK_WIDGET (row->optimizer));
  gtk_box_append (GTK_BOX (head), remove);

  row->lr = small_spin (1e-5, 100, 0.001, 4);
  gtk_spin_button_set_value (row->lr, r->lr);
  gtk_widget_set_tooltip_text (GTK_WIDGET (row->lr), _("Learning rate"));
  row->lr_scale = GTK_SCALE (gtk_scale_new_with_range (GTK_ORIENTATION_HORIZONTAL, -4, 1, 0.01));
  gtk_scale_set_draw_value (row->lr_scale, FALSE);
  gtk_widget_set_hexpand (GTK_WIDGET (row->lr_scale), TRUE);
  gtk_widget_set_tooltip_text (GTK_WIDGET (row->lr_scale),
                               _("Learning rate: on the quadratic a linear scale marked at the stability limits, "
                                 "else a log scale"));
  gtk_box_append (GTK_BOX (lr_box), labelled (_("lr"), GTK_WIDGET (row->lr)));
  gtk_box_append (GTK_BOX (lr_box), GTK_WIDGET (row->lr_scale));

  row->momentum = small_spin (0, 0.999, 0.05, 3);
  gtk_spin_button_set_value (row->momentum, r->momentum);
  row->momentum_box = labelled (_("momentum β"), GTK_WIDGET (row->momentum));
  row->beta1 = small_spin (0, 0.999, 0.01, 3);
  gtk_spin_button_set_value (row->beta1, r->beta1);
  row->beta2 = small_spin (0, 0.9999, 0.001, 4);
  gtk_spin_button_set_value (row->beta2, r->beta2);
  row->betas_box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  gtk_box_append (GTK_BOX (row->betas_box), labelled (_("β₁"), GTK_WIDGET (row->beta1)));
  gtk_box_append (GTK_BOX (row->betas_box), labelled (_("β₂"), GTK_WIDGET (row->beta2)));

  gtk_box_append (GTK_BOX (row->box), head);
  gtk_box_append (GTK_BOX (row->box), lr_box);
  row->limits = GTK_LABEL (gtk_label_new (NULL));
  gtk_label_set_xalign (row->limits, 0);
  gtk_label_set_wrap (row->limits, TRUE);
  gtk_widget_add_css_class (GTK_WIDGET (row->limits), "dim-label");
  gtk_widget_add_css_class (GTK_WIDGET (row->limits), "caption");
  gtk_box_append (GTK_BOX (row->box), GTK_WIDGET (row->limits));
  gtk_box_append (GTK_BOX (row->box), row->momentum_box);
  gtk_box_append (GTK_BOX (row->box), row->betas_box);
  gtk_box_append (self->racers_box, row->box);
  g_object_set_data (G_OBJECT (remove), "racer-row", row);

  g_signal_connect (row->lr_scale, "value-changed", G_CALLBACK (on_lr_scale), row);
  g_signal_connect (row->lr, "value-changed", G_CALLBACK (on_lr_spin), row);
  g_signal_connect_swapped (row->lr, "value-changed", G_CALLBACK (on_racer_changed), self);
  g_signal_connect_swapped (row->optimizer, "notify::selected", G_CALLBACK (on_racer_changed), self);
  g_signal_connect_swapped (row->momentum, "value-changed", G_CALLBACK (on_racer_changed), self);
  g_signal_connect_swapped (row->beta1, "value-changed", G_CALLBACK (on_racer_changed), self);
  g_signal_connect_swapped (row->beta2, "value-changed", G_CALLBACK (on_racer_changed), self);
  g_signal_connect_swapped (row->colour, "notify::selected", G_CALLBACK (on_racer_changed), self);
  g_signal_connect (remove, "clicked", G_CALLBACK (remove_racer), self);
  g_ptr_array_add (self->racer_rows, row);
  update_marks (self, row);
  return row;
}

static void
racer_row_free (gpointer data)
{
  g_free (data);
}

static void
remove_racer (GtkButton *button, ReliefLessonPage *self)
{
  RacerRow *row = g_object_get_data (G_OBJECT (button), "racer-row");

  gtk_box_remove (self->racers_box, row->box);
  g_ptr_array_remove (self->racer_rows, row);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "lesson.add-racer",
                                 self->racer_rows->len < RELIEF_LESSON_MAX_RACERS);
  rebuild_race (self);
}

static void
action_add_racer (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  ReliefLessonPage *self = RELIEF_LESSON_PAGE (widget);
  ReliefLessonRacer r = { .optimizer = (char *) "adam", .lr = 0.05, .momentum = 0.9, .beta1 = 0.9, .beta2 = 0.999 };

  if (self->racer_rows->len >= RELIEF_LESSON_MAX_RACERS)
    return;
  r.colour = relief_lesson_racer_colour ((int) self->racer_rows->len);
  add_racer_row (self, &r);
  gtk_widget_action_set_enabled (widget, "lesson.add-racer", self->racer_rows->len < RELIEF_LESSON_MAX_RACERS);
  rebuild_race (self);
}

static int
row_colour (RacerRow *row)
{
  return (int) gtk_drop_down_get_selected (row->colour);
}

/* ---- The function and the race ---- */

static const char *
chosen_function (ReliefLessonPage *self)
{
  guint i = adw_combo_row_get_selected (self->function_row);
  const char *const *names = relief_function_builtins ();

  return i < g_strv_length ((char **) names) ? names[i] : "expression";
}

static double
kappa_value (ReliefLessonPage *self)
{
  return pow (10, gtk_range_get_value (self->kappa_scale));
}

/* The function sampled over the view, behind the contours. */
static void
sample_grid (ReliefLessonPage *self)
{
  g_clear_pointer (&self->grid, relief_race_grid_free);
  if (self->function == NULL)
    return;
  self->grid = relief_race_grid_new (GRID, GRID, self->view[0], self->view[1], self->view[2], self->view[3]);
  for (int j = 0; j < GRID; j++)
    for (int i = 0; i < GRID; i++)
      {
        double z = relief_function_eval (self->function, self->grid->xs[i], self->grid->ys[j], NULL, NULL);

        self->grid->z[j * GRID + i] = isfinite (z) ? z : NAN;
      }
}

static void
update_lambda_label (ReliefLessonPage *self)
{
  double lmax = self->function ? relief_function_lambda_max (self->function) : NAN;
  g_autofree char *text = NULL;

  if (isfinite (lmax) && lmax > 0)
    text = g_strdup_printf (_("λ_max = %.4g    2/λ_max = %.4g"), lmax, 2 / lmax);
  else
    text = g_strdup (_("λ_max: only for the quadratic"));
  gtk_label_set_text (self->lambda_label, text);
}

static void
stop_ticking (ReliefLessonPage *self)
{
  if (self->tick_id != 0)
    gtk_widget_remove_tick_callback (GTK_WIDGET (self), self->tick_id);
  self->tick_id = 0;
}

static void
set_race_status (ReliefLessonPage *self)
{
  g_autofree char *text = NULL;

  if (self->race == NULL)
    {
      relief_page_set_status (RELIEF_PAGE (self), self->race_error ? self->race_error : _("No racers: add one"));
      return;
    }
  text = g_strdup_printf (_("Step %lld · start (%.3g, %.3g)"), (long long) relief_race_n_steps (self->race),
                          self->start[0], self->start[1]);
  relief_page_set_status (RELIEF_PAGE (self), text);
}

static void
redraw (ReliefLessonPage *self)
{
  gtk_widget_queue_draw (GTK_WIDGET (self->map_area));
}

/* The racers as the controls set them, into racers (n of them, each to be cleared). */
static gboolean
read_racers (ReliefLessonPage *self, ReliefRacer *racers, GError **error)
{
  for (guint i = 0; i < self->racer_rows->len; i++)
    {
      RacerRow *row = g_ptr_array_index (self->racer_rows, i);

      if (!relief_racer_init (&racers[i], row_optimizer (row), gtk_spin_button_get_value (row->lr), error))
        {
          for (guint k = 0; k < i; k++)
            relief_racer_clear (&racers[k]);
          return FALSE;
        }
      racers[i].config.momentum = gtk_spin_button_get_value (row->momentum);
      racers[i].config.beta1 = gtk_spin_button_get_value (row->beta1);
      racers[i].config.beta2 = gtk_spin_button_get_value (row->beta2);
    }
  return TRUE;
}

/* A new race from the start with the racers shown (its function already made). */
static void
rebuild_race (ReliefLessonPage *self)
{
  g_autoptr(GError) error = NULL;
  g_autofree ReliefRacer *racers = NULL;
  int n = (int) self->racer_rows->len;

  if (self->updating)
    return;
  g_clear_pointer (&self->race, relief_race_free);
  self->step_debt = 0;
  if (self->function != NULL && n > 0)
    {
      racers = g_new0 (ReliefRacer, n);
      if (read_racers (self, racers, &error))
        {
          self->race = relief_race_new (self->backend, self->function, racers, n, self->start[0], self->start[1],
                                        &error);
          for (int i = 0; i < n; i++)
            relief_racer_clear (&racers[i]);
        }
      if (self->race == NULL)
        {
          g_free (self->race_error);
          self->race_error = g_strdup (error->message);
        }
    }
  if (self->race == NULL && self->race_playing)
    relief_lesson_page_play (self, FALSE);
  set_race_status (self);
  update_transport (self);
  redraw (self);
}

/* The function the controls name; a bad expression is shown at its column. */
static void
rebuild_function (ReliefLessonPage *self, gboolean new_view)
{
  const char *name = chosen_function (self);
  gboolean expression = strcmp (name, "expression") == 0;
  g_autoptr(GError) error = NULL;

  if (self->updating)
    return;
  gtk_widget_set_visible (GTK_WIDGET (self->expression_row), expression);
  gtk_widget_set_visible (self->kappa_row, strcmp (name, "quadratic") == 0);
  gtk_widget_set_visible (self->theta_row, strcmp (name, "quadratic") == 0);
  g_clear_pointer (&self->function, relief_function_free);
  g_clear_pointer (&self->race_error, g_free);
  if (expression)
    self->function = relief_function_new_expression (gtk_editable_get_text (GTK_EDITABLE (self->expression_row)),
                                                     &error);
  else
    self->function = relief_function_new_builtin (name, kappa_value (self),
                                                  gtk_range_get_value (self->theta_scale) * G_PI / 180, &error);
  gtk_widget_set_visible (GTK_WIDGET (self->expression_error), expression && self->function == NULL);
  if (self->function == NULL)
    {
      const char *text = gtk_editable_get_text (GTK_EDITABLE (self->expression_row));
      const char *column = strstr (error->message, "column ");
      g_autofree char *message = NULL;
      int col = column ? atoi (column + 7) : 0;

      /* The expression with a caret under the bad character. */
      if (col > 0)
        message = g_strdup_printf ("%s\n%s\n%*s^", error->message, text, col - 1, "");
      else
        message = g_strdup (error->message);
      gtk_label_set_text (self->expression_error, message);
      relief_row_set_error (GTK_WIDGET (self->expression_row), error->message);
      self->race_error = g_strdup (error->message);
    }
  else
    {
      relief_row_set_error (GTK_WIDGET (self->expression_row), NULL);
      if (new_view)
        {
          relief_function_default_view (self->function, &self->view[0], &self->view[1], &self->view[2],
                                        &self->view[3]);
          memcpy (self->home_view, self->view, sizeof self->view);
          relief_function_default_start (self->function, &self->start[0], &self->start[1]);
        }
    }
  sample_grid (self);
  update_lambda_label (self);
  for (guint i = 0; i < self->racer_rows->len; i++)
    update_marks (self, g_ptr_array_index (self->racer_rows, i));
  rebuild_race (self);
}

static void
on_function_changed (ReliefLessonPage *self)
{
  rebuild_function (self, TRUE);
}

static void
on_shape_changed (ReliefLessonPage *self)
{
  rebuild_function (self, FALSE);
}

static void
race_advance (ReliefLessonPage *self, int n)
{
  g_autoptr(GError) error = NULL;
  gint64 done;

  if (self->race == NULL)
    return;
  done = relief_race_n_steps (self->race);
  n = (int) MIN ((gint64) n, MAX_RACE_STEPS - done);
  if (n > 0 && !relief_race_step (self->race, n, &error))
    {
      relief_page_report_error (RELIEF_PAGE (self), _("The race stopped"), error->message);
      relief_lesson_page_play (self, FALSE);
    }
  if (relief_race_n_steps (self->race) >= MAX_RACE_STEPS && self->race_playing)
    {
      relief_lesson_page_play (self, FALSE);
      relief_page_toast (RELIEF_PAGE (self), _("The race ends after 5000 steps: Reset starts it again"));
    }
  set_race_status (self);
  redraw (self);
}

static double
speed_value (ReliefLessonPage *self)
{
  return pow (10, gtk_range_get_value (self->speed_scale));
}

/* The playground trains ten times the race's steps a second on the same control (10 to
 * 10,000): a network needs thousands of steps where a racer shows its path in tens. */
static double
playground_rate (ReliefLessonPage *self)
{
  return 10 * speed_value (self);
}

/* Steps per second from the speed control, on the frame clock. */
static gboolean
race_tick (GtkWidget *widget, GdkFrameClock *clock, gpointer user_data)
{
  ReliefLessonPage *self = RELIEF_LESSON_PAGE (widget);
  gint64 now = gdk_frame_clock_get_frame_time (clock);
  int n;

  if (self->last_frame_us == 0)
    self->last_frame_us = now;
  /* A stalled clock (a window hidden) does not become a burst of steps. */
  self->step_debt += speed_value (self) * MIN (now - self->last_frame_us, 250000) / 1e6;
  self->last_frame_us = now;
  n = (int) floor (self->step_debt);
  if (n > 0)
    {
      self->step_debt -= n;
      race_advance (self, n);
    }
  return G_SOURCE_CONTINUE;
}

void
relief_lesson_page_get_racer_rgb (ReliefLessonPage *self, int i, double rgb[3])
{
  g_return_if_fail (RELIEF_IS_LESSON_PAGE (self));
  g_return_if_fail (i >= 0 && i < (int) self->racer_rows->len);
  relief_plot_palette (row_colour (g_ptr_array_index (self->racer_rows, i)), rgb);
}

/* ---- The race's figure ---- */

/* The race so far as the figure takes it (relief_race_job_snapshot), with the rotation and
 * the colours the page shows. */
static ReliefRaceFile *
race_as_file (ReliefLessonPage *self)
{
  ReliefRaceFile *file = relief_race_job_snapshot (self->race, self->view, self->start[0], self->start[1]);

  if (isfinite (file->kappa))
    file->theta = gtk_range_get_value (self->theta_scale) * G_PI / 180;
  for (int i = 0; i < file->n_racers && i < (int) self->racer_rows->len; i++)
    file->racers[i].colour = row_colour (g_ptr_array_index (self->racer_rows, i));
  return file;
}

/* The eigen-decomposition of a symmetric 2x2 matrix: values ascending, the vector of the
 * larger (cos a, sin a). */
static void
eigen2 (const double h[4], double values[2], double *angle)
{
  double a = h[0], b = 0.5 * (h[1] + h[2]), d = h[3];
  double mean = 0.5 * (a + d), r = hypot (0.5 * (a - d), b);

  values[0] = mean - r;
  values[1] = mean + r;
  *angle = 0.5 * atan2 (2 * b, a - d);
}

/* Over the map, at each live racer's point: the way down (the negative gradient) as an
 * arrow, and the Hessian's eigen-directions as an ellipse whose axes go as 1/sqrt|lambda|
 * (the local quadratic's level set: long where the curvature is small). */
static void
draw_race_overlay (ReliefLessonPage *self, cairo_t *cr, const ReliefPlotFrame *f)
{
  double diag = hypot (f->pw, f->ph);
  double sx = f->pw / (f->xmax - f->xmin), sy = f->ph / (f->ymax - f->ymin);

  cairo_save (cr);
  cairo_rectangle (cr, f->px, f->py, f->pw, f->ph);
  cairo_clip (cr);
  for (int i = 0; i < relief_race_n_racers (self->race); i++)
    {
      gint64 n_points;
      const double *path = relief_race_path (self->race, i, &n_points);
      double x = path[2 * (n_points - 1)], y = path[2 * (n_points - 1) + 1];
      double rgb[3], px, py, grad[2], hess[4], values[2], angle, gx, gy, len;
      int colour = i < (int) self->racer_rows->len ? row_colour (g_ptr_array_index (self->racer_rows, i)) : i;

      if (relief_race_diverged_at (self->race, i) >= 0 || x < f->xmin || x > f->xmax || y < f->ymin || y > f->ymax)
        continue;
      relief_plot_palette (colour, rgb);
      relief_plot_frame_from_data (f, x, y, &px, &py);
      relief_function_eval (self->function, x, y, grad, hess);
      eigen2 (hess, values, &angle);
      cairo_save (cr);
      cairo_translate (cr, px, py);
      /* In data directions: y up. */
      cairo_scale (cr, 1, -1);
      if (isfinite (values[0]) && isfinite (values[1]) && MAX (fabs (values[0]), fabs (values[1])) > 0)
        {
          double big = fabs (values[1]) >= fabs (values[0]) ? fabs (values[1]) : fabs (values[0]);
          double small = MIN (fabs (values[0]), fabs (values[1]));
          double stretch = small > 0 ? MIN (sqrt (big / small), 4) : 4;
          double r = 0.025 * diag;
          /* The axis along the larger |lambda| is the short one. */
          double short_angle = fabs (values[1]) >= fabs (values[0]) ? angle : angle + G_PI / 2;

          cairo_save (cr);
          cairo_rotate (cr, atan2 (sin (short_angle) * sy, cos (short_angle) * sx));
          cairo_scale (cr, r, r * stretch);
          cairo_arc (cr, 0, 0, 1, 0, 2 * G_PI);
          cairo_restore (cr);
          cairo_set_source_rgba (cr, 1, 1, 1, 0.95);
          cairo_set_line_width (cr, 2.5);
          cairo_stroke_preserve (cr);
          cairo_set_source_rgb (cr, rgb[0], rgb[1], rgb[2]);
          cairo_set_line_width (cr, 1.2);
          cairo_stroke (cr);
        }
      gx = -grad[0] * sx, gy = -grad[1] * sy;
      len = hypot (gx, gy);
      if (len > 0 && isfinite (len))
        {
          double ux = gx / len, uy = gy / len, shown = 0.07 * diag;

          cairo_move_to (cr, 0, 0);
          cairo_line_to (cr, ux * shown * 0.8, uy * shown * 0.8);
          cairo_set_source_rgb (cr, 1, 1, 1);
          cairo_set_line_width (cr, 4);
          cairo_stroke_preserve (cr);
          cairo_set_source_rgb (cr, rgb[0], rgb[1], rgb[2]);
          cairo_set_line_width (cr, 2);
          cairo_stroke (cr);
          cairo_move_to (cr, ux * shown, uy * shown);
          cairo_line_to (cr, ux * shown * 0.72 - uy * shown * 0.14, uy * shown * 0.72 + ux * shown * 0.14);
          cairo_line_to (cr, ux * shown * 0.72 + uy * shown * 0.14, uy * shown * 0.72 - ux * shown * 0.14);
          cairo_close_path (cr);
          cairo_fill (cr);
        }
      cairo_restore (cr);
    }
  cairo_restore (cr);
}

/* The race's frame: the figure of raceapp's race files, the live overlay on its map. */
static void
draw_race (ReliefLessonPage *self, cairo_t *cr, double width, double height, gboolean overlay,
           ReliefPlotFrame *frame_out)
{
  g_autoptr(ReliefRaceFile) file = NULL;
  ReliefFigureOptions opt;
  ReliefPlotFrame frame = { 0 };
  g_autofree char *title = NULL;

  if (self->race == NULL || self->grid == NULL)
    {
      if (frame_out)
        *frame_out = frame;
      return;
    }
  file = race_as_file (self);
  relief_figure_options_init (&opt);
  opt.colormap = self->presenting ? RELIEF_COLORMAP_MAGMA : RELIEF_COLORMAP_VIRIDIS;
  /* The rotation in degrees, as the slider shows it. */
  if (isfinite (file->kappa))
    opt.title = title = g_strdup_printf (_("quadratic (κ = %.3g, θ = %.0f°) — step %lld"), file->kappa,
                                         gtk_range_get_value (self->theta_scale), (long long) file->n_steps);
  else
    opt.title = title = g_strdup_printf (_("%s — step %lld"), file->function, (long long) file->n_steps);
  relief_figure_race_frame (cr, width, height, file, self->grid, file->n_steps, &opt, &frame);
  if (overlay)
    draw_race_overlay (self, cr, &frame);
  if (frame_out)
    *frame_out = frame;
}

/* ---- The playground ---- */

/* Shared between the training thread (writes) and the page (reads, and the gate). */
typedef struct PlayWork {
  ReliefMlpSpec    *spec;
  ReliefDataset    *ds;
  ReliefTrainConfig config;
  float            *params;
  double            plane[4];      /* the map's plane; all 0: the samples' extent */
  GMutex            lock;
  GCond             cond;
  gboolean          paused;
  gint64            allowed;       /* steps it may complete while paused */
  gint64            step;          /* completed */
  double            rate;          /* steps a second while playing (the speed control's) */
  gint64            rate_since_us, rate_since_step;  /* when the rate last took effect */
  GCancellable     *cancellable;
  GArray           *pending;       /* ReliefTrainMetrics */
  float            *last_params;
  gint64            last_step, mapped_step;
  gint64            mapped_at;
  ReliefBackend    *map_backend;
  ReliefDecisionMap *fresh_map;
  gboolean          want_regions;  /* the linear regions with each map (the page's switch) */
  gboolean          remap;         /* the switch changed: map again, even paused */
  gboolean          fresh;         /* fresh_map (and fresh_regions) not yet taken */
  ReliefRegions    *fresh_regions;
  char             *regions_error;
} PlayWork;

static void
play_work_free (gpointer data)
{
  PlayWork *w = data;

  relief_mlp_spec_free (w->spec);
  relief_dataset_free (w->ds);
  g_free (w->params);
  g_free (w->last_params);
  g_array_unref (w->pending);
  g_clear_pointer (&w->map_backend, relief_backend_free);
  relief_decision_map_free (w->fresh_map);
  g_clear_pointer (&w->fresh_regions, relief_regions_free);
  g_free (w->regions_error);
  g_mutex_clear (&w->lock);
  g_cond_clear (&w->cond);
  g_free (w);
}

/* Beyond this many linear regions the map shows none (a wide network's partition is more
 * than a class can read, and costs more than a frame). */
#define MAX_REGIONS 20000

/* The decisions at the newest parameters, and their linear regions when asked (the
 * training thread, unlocked). */
static void
play_offer_map (PlayWork *w)
{
  ReliefGridAxis px = { w->plane[0], w->plane[1], 0 }, py = { w->plane[2], w->plane[3], 0 };
  ReliefDecisionMap *map;
  ReliefRegions *regions = NULL;
  g_autoptr(GError) error = NULL;
  gboolean want;

  if (w->plane[0] < w->plane[1])
    px.count = py.count = RELIEF_DECISION_RESOLUTION;
  if (w->map_backend == NULL && (w->map_backend = relief_backend_new ("cpu", NULL)) == NULL)
    return;
  map = relief_decision_map_compute (w->map_backend, w->spec, w->ds, w->last_params, &px, &py, NULL);
  if (map == NULL)
    return;
  g_mutex_lock (&w->lock);
  want = w->want_regions;
  w->remap = FALSE;
  g_mutex_unlock (&w->lock);
  if (want)
    {
      g_autoptr(ReliefPlane) plane = relief_plane_new_input (map->xmin, map->xmax, map->ymin, map->ymax);

      regions = relief_regions_compute (w->spec, w->last_params, plane, MAX_REGIONS, NULL, &error);
    }
  w->mapped_step = w->last_step;
  w->mapped_at = g_get_monotonic_time ();
  g_mutex_lock (&w->lock);
  relief_decision_map_free (w->fresh_map);
  w->fresh_map = map;
  g_clear_pointer (&w->fresh_regions, relief_regions_free);
  w->fresh_regions = regions;
  g_free (w->regions_error);
  w->regions_error = error ? g_strdup (error->message) : NULL;
  w->fresh = TRUE;
  g_mutex_unlock (&w->lock);
}

/* After each completed step: waits while paused and out of allowed steps, mapping the
 * parameters it stopped at. */
static void
play_gate (PlayWork *w, gint64 step)
{
  g_mutex_lock (&w->lock);
  w->step = step;
  while (w->paused && step >= w->allowed && !g_cancellable_is_cancelled (w->cancellable))
    {
      if (w->mapped_step != w->last_step || w->remap)
        {
          g_mutex_unlock (&w->lock);
          play_offer_map (w);
          g_mutex_lock (&w->lock);
          continue;
        }
      g_cond_wait_until (&w->cond, &w->lock, g_get_monotonic_time () + 50 * G_TIME_SPAN_MILLISECOND);
    }
  /* Playing, at the speed asked: a class watches the boundary move rather than a result
   * that is there at once (a small network takes some 10^5 steps a second). */
  while (!w->paused && w->rate > 0 && !g_cancellable_is_cancelled (w->cancellable))
    {
      gint64 due = w->rate_since_us + (gint64) ((double) (step - w->rate_since_step) * G_USEC_PER_SEC / w->rate);
      gint64 now = g_get_monotonic_time ();

      if (now >= due)
        break;
      if (w->mapped_step != w->last_step)
        {
          g_mutex_unlock (&w->lock);
          play_offer_map (w);
          g_mutex_lock (&w->lock);
          continue;
        }
      g_cond_wait_until (&w->cond, &w->lock, MIN (due, now + 50 * G_TIME_SPAN_MILLISECOND));
    }
  g_mutex_unlock (&w->lock);
}

/* The rate takes effect from now (w->lock held). */
static void
play_set_rate (PlayWork *w, double rate)
{
  w->rate = rate;
  w->rate_since_us = g_get_monotonic_time ();
  w->rate_since_step = w->step;
  g_cond_signal (&w->cond);
}

static gboolean
play_metrics (const ReliefTrainMetrics *m, gpointer user_data, GError **error)
{
  PlayWork *w = user_data;

  g_mutex_lock (&w->lock);
  g_array_append_val (w->pending, *m);
  g_mutex_unlock (&w->lock);
  return TRUE;
}

static gboolean
play_snapshot (gint64 step, double epoch, const float *params, gsize n_params, gpointer user_data, GError **error)
{
  PlayWork *w = user_data;

  memcpy (w->last_params, params, n_params * sizeof (float));
  w->last_step = step;
  if (w->mapped_step < 0 || g_get_monotonic_time () - w->mapped_at >= 100 * G_TIME_SPAN_MILLISECOND)
    play_offer_map (w);
  if (step == 0)
    play_gate (w, 0);
  return TRUE;
}

static void
play_progress (gint64 step, gint64 total_steps, double batch_loss, gpointer user_data)
{
  play_gate (user_data, step);
}

static gboolean
play_work_run (gpointer data, GCancellable *cancellable, GError **error)
{
  PlayWork *w = data;
  g_autoptr(ReliefBackend) backend = relief_backend_new ("cpu", error);
  ReliefTrainCallbacks cb = {
    .metrics = play_metrics,
    .snapshot = play_snapshot,
    .progress = play_progress,
    .user_data = w,
  };
  ReliefTrainStatus status;

  if (backend == NULL)
    return FALSE;
  w->cancellable = cancellable;
  status = relief_train (backend, w->spec, w->ds, &w->config, w->params, &cb, cancellable, error);
  if (status == RELIEF_TRAIN_DIVERGED)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                           _("The loss diverged: lower the learning rate and start again"));
      return FALSE;
    }
  return status != RELIEF_TRAIN_FAILED;
}

/* The switch on, for a network that has linear regions. */
static gboolean
regions_wanted (ReliefLessonPage *self)
{
  return gtk_switch_get_active (self->regions_switch) && gtk_widget_get_sensitive (GTK_WIDGET (self->regions_switch));
}

static void
update_readout (ReliefLessonPage *self)
{
  g_autofree char *text = NULL;

  if (!race_mode (self) && gtk_switch_get_active (self->regions_switch))
    {
      if (self->pg_regions)
        text = g_strdup_printf (g_dngettext (NULL, "%d linear region", "%d linear regions",
                                             self->pg_regions->n_regions), self->pg_regions->n_regions);
      else if (self->pg_regions_error)
        text = g_strdup (self->pg_regions_error);
    }
  gtk_label_set_text (self->readout_label, text ? text : "");
}

static void
on_regions_toggled (ReliefLessonPage *self)
{
  if (self->pg_work)
    {
      g_mutex_lock (&self->pg_work->lock);
      self->pg_work->want_regions = regions_wanted (self);
      self->pg_work->remap = TRUE;
      g_cond_signal (&self->pg_work->cond);
      g_mutex_unlock (&self->pg_work->lock);
    }
  if (!regions_wanted (self))
    {
      g_clear_pointer (&self->pg_regions, relief_regions_free);
      g_clear_pointer (&self->pg_regions_error, g_free);
    }
  update_readout (self);
  redraw (self);
}

/* Only piecewise-linear networks have linear regions. */
static void
update_regions_row (ReliefLessonPage *self)
{
  const char *nick = gtk_string_list_get_string (self->activation_list,
                                                 adw_combo_row_get_selected (self->activation_row));
  gboolean linear = g_strcmp0 (nick, "relu") == 0 || g_strcmp0 (nick, "leaky_relu") == 0;

  gtk_widget_set_sensitive (GTK_WIDGET (self->regions_switch), linear);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (self->regions_row),
                               linear ? _("The exact regions where the network is affine")
                                      : _("Only ReLU and leaky ReLU networks have them"));
}

static void
on_activation_changed (ReliefLessonPage *self)
{
  update_regions_row (self);
  pg_restart (self);
}

static void
pg_tick (gpointer owner)
{
  ReliefLessonPage *self = owner;
  PlayWork *w = self->pg_work;
  g_autoptr(GArray) rows = NULL;
  ReliefDecisionMap *map = NULL;
  ReliefRegions *regions = NULL;
  char *regions_error = NULL;
  gboolean fresh;
  g_autofree char *status = NULL;

  g_mutex_lock (&w->lock);
  rows = w->pending;
  w->pending = g_array_new (FALSE, FALSE, sizeof (ReliefTrainMetrics));
  fresh = w->fresh;
  if (fresh)
    {
      map = g_steal_pointer (&w->fresh_map);
      regions = g_steal_pointer (&w->fresh_regions);
      regions_error = g_steal_pointer (&w->regions_error);
      w->fresh = FALSE;
    }
  self->pg_steps = w->step;
  g_mutex_unlock (&w->lock);
  if (fresh)
    {
      g_clear_pointer (&self->pg_regions, relief_regions_free);
      self->pg_regions = regions;
      g_free (self->pg_regions_error);
      self->pg_regions_error = regions_error;
    }
  for (guint i = 0; i < rows->len; i++)
    {
      const ReliefTrainMetrics *m = &g_array_index (rows, ReliefTrainMetrics, i);
      double values[N_CURVES] = { m->train_loss, m->test_loss, m->train_acc * 100, m->test_acc * 100 };

      relief_live_curves_add (self->pg_curves, (double) m->step, values);
    }
  if (map)
    {
      relief_decision_map_free (self->pg_map);
      self->pg_map = map;
    }
  if (!race_mode (self))
    {
      guint n = 0;
      const double *loss;

      relief_live_curves_get_x (self->pg_curves, &n);
      loss = relief_live_curves_get_values (self->pg_curves, TRAIN_LOSS);
      status = n > 0 ? g_strdup_printf (_("Step %lld · train loss %.4g"), (long long) self->pg_steps, loss[n - 1])
                     : g_strdup_printf (_("Step %lld"), (long long) self->pg_steps);
      relief_page_set_status (RELIEF_PAGE (self), status);
      update_readout (self);
    }
  redraw (self);
}

static void
pg_done (gpointer owner, const GError *error)
{
  ReliefLessonPage *self = owner;

  pg_tick (self);
  self->pg_job = NULL;
  self->pg_work = NULL;
  self->pg_playing = FALSE;
  update_transport (self);
  if (error && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    relief_page_report_error (RELIEF_PAGE (self), _("The playground stopped"), error->message);
}

static const char *
chosen_dataset (ReliefLessonPage *self)
{
  guint i = adw_combo_row_get_selected (self->dataset_row);
  const char *const *names = relief_generator_names ();

  return i < g_strv_length ((char **) names) ? names[i] : "points";
}

static ReliefDataset *
clicked_dataset (ReliefLessonPage *self)
{
  ReliefDataset *ds = relief_dataset_new ("points", 2, 2, (int) self->points->len / 3, 0);

  for (guint i = 0; i < self->points->len / 3; i++)
    {
      const double *p = &g_array_index (self->points, double, 3 * i);

      ds->x_train[2 * i] = (float) p[0];
      ds->x_train[2 * i + 1] = (float) p[1];
      ds->y_train[i] = (int32_t) p[2];
    }
  return ds;
}

/* Training starts over with the settings shown, paused at step 0 unless it plays. */
static void
pg_restart (ReliefLessonPage *self)
{
  g_autoptr(ReliefLesson) l = relief_lesson_new_default ();
  g_autoptr(GError) error = NULL;
  g_autofree int *sizes = NULL;
  ReliefLessonPlayground *pg;
  PlayWork *w;
  gboolean points;

  if (self->updating)
    return;
  g_clear_pointer (&self->pg_job, relief_worker_drop);
  self->pg_work = NULL;
  relief_live_curves_clear (self->pg_curves);
  self->pg_steps = 0;
  read_controls (self, l);
  pg = &l->playground;
  points = strcmp (pg->dataset, "points") == 0;
  w = g_new0 (PlayWork, 1);
  g_mutex_init (&w->lock);
  g_cond_init (&w->cond);
  w->pending = g_array_new (FALSE, FALSE, sizeof (ReliefTrainMetrics));
  w->mapped_step = -1;
  if (points)
    {
      gboolean seen[2] = { FALSE, FALSE };

      for (guint i = 0; i < self->points->len / 3; i++)
        seen[(int) g_array_index (self->points, double, 3 * i + 2)] = TRUE;
      if (!seen[0] || !seen[1])
        {
          play_work_free (w);
          g_clear_pointer (&self->pg_map, relief_decision_map_free);
          self->pg_playing = FALSE;
          relief_page_set_status (RELIEF_PAGE (self),
                                  _("Click points of both classes: left button class 0, right button class 1"));
          update_transport (self);
          redraw (self);
          return;
        }
      w->ds = clicked_dataset (self);
      memcpy (w->plane, self->pg_plane, sizeof w->plane);
    }
  else
    {
      ReliefGeneratorParams params;

      relief_generator_defaults (pg->dataset, &params);
      params.seed = pg->seed;
      params.n_samples = 500;
      if (!(w->ds = relief_dataset_generate (pg->dataset, &params, &error)))
        {
          play_work_free (w);
          relief_page_report_error (RELIEF_PAGE (self), _("No data set"), error->message);
          return;
        }
    }
  sizes = g_new (int, pg->n_layers + 2);
  sizes[0] = 2;
  for (int i = 0; i < pg->n_layers; i++)
    sizes[i + 1] = pg->layers[i];
  sizes[pg->n_layers + 1] = w->ds->n_classes;
  w->spec = relief_mlp_spec_new (sizes, pg->n_layers + 2, pg->activation, RELIEF_LOSS_CROSS_ENTROPY);
  w->params = g_new (float, relief_mlp_spec_n_params (w->spec));
  w->last_params = g_new (float, relief_mlp_spec_n_params (w->spec));
  relief_mlp_init_params (w->spec, pg->seed, w->params);
  relief_train_config_init_defaults (&w->config);
  w->config.optimizer.kind = RELIEF_OPT_SGD;
  w->config.optimizer.lr = (float) pg->lr;
  w->config.optimizer.weight_decay = (float) pg->l2;
  w->config.batch_size = MIN (pg->batch, w->ds->n_train);
  /* As long as the class watches: the lesson ends it, not the epochs. */
  w->config.epochs = 100000;
  w->config.snapshot_every = 1;
  w->config.eval_every = 20;
  w->config.seed = pg->seed;
  w->paused = !self->pg_playing;
  play_set_rate (w, playground_rate (self));
  w->want_regions = regions_wanted (self);
  self->pg_work = w;
  self->pg_job = relief_worker_start (play_work_run, w, play_work_free, pg_tick, pg_done, self);
  update_transport (self);
}

static void
pg_set_playing (ReliefLessonPage *self, gboolean play)
{
  self->pg_playing = play;
  if (self->pg_work == NULL)
    {
      if (play)
        pg_restart (self);
      return;
    }
  g_mutex_lock (&self->pg_work->lock);
  /* Paused from playing it stops where it is; already paused, the steps asked stay asked. */
  if (!play && !self->pg_work->paused)
    self->pg_work->allowed = self->pg_work->step;
  if (play && self->pg_work->paused)
    play_set_rate (self->pg_work, playground_rate (self));
  self->pg_work->paused = !play;
  g_cond_signal (&self->pg_work->cond);
  g_mutex_unlock (&self->pg_work->lock);
}

static void
pg_step (ReliefLessonPage *self)
{
  if (self->pg_work == NULL)
    pg_restart (self);
  if (self->pg_work == NULL)
    return;
  self->pg_playing = FALSE;
  g_mutex_lock (&self->pg_work->lock);
  /* Each press one more step, also before the last one is done. */
  self->pg_work->paused = TRUE;
  self->pg_work->allowed = MAX (self->pg_work->allowed, self->pg_work->step) + 1;
  g_cond_signal (&self->pg_work->cond);
  g_mutex_unlock (&self->pg_work->lock);
}

static void
update_layers (ReliefLessonPage *self, const int *widths, int n)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->layers_box))) != NULL)
    gtk_box_remove (self->layers_box, child);
  g_ptr_array_set_size (self->layer_spins, 0);
  for (int i = 0; i < n; i++)
    {
      GtkWidget *row = adw_action_row_new ();
      GtkSpinButton *spin = small_spin (1, RELIEF_LESSON_MAX_WIDTH, 1, 0);
      g_autofree char *title = g_strdup_printf (_("Hidden layer %d"), i + 1);

      gtk_spin_button_set_value (spin, widths[i]);
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), _("Neurons"));
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), GTK_WIDGET (spin));
      gtk_widget_add_css_class (row, "card");
      gtk_box_append (self->layers_box, row);
      g_ptr_array_add (self->layer_spins, spin);
      g_signal_connect_swapped (spin, "value-changed", G_CALLBACK (pg_restart), self);
    }
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "lesson.add-layer", n < RELIEF_LESSON_MAX_LAYERS);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "lesson.remove-layer", n > 0);
}

static void
change_layers (ReliefLessonPage *self, int delta)
{
  g_autofree int *widths = g_new0 (int, RELIEF_LESSON_MAX_LAYERS + 1);
  int n = (int) self->layer_spins->len;

  for (int i = 0; i < n; i++)
    widths[i] = gtk_spin_button_get_value_as_int (g_ptr_array_index (self->layer_spins, i));
  if (delta > 0 && n < RELIEF_LESSON_MAX_LAYERS)
    widths[n] = n > 0 ? widths[n - 1] : 4, n++;
  else if (delta < 0 && n > 0)
    n--;
  update_layers (self, widths, n);
  pg_restart (self);
}

static void
action_add_layer (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  change_layers (RELIEF_LESSON_PAGE (widget), 1);
}

static void
action_remove_layer (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  change_layers (RELIEF_LESSON_PAGE (widget), -1);
}

static void
action_clear_points (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  ReliefLessonPage *self = RELIEF_LESSON_PAGE (widget);

  g_array_set_size (self->points, 0);
  if (strcmp (chosen_dataset (self), "points") == 0)
    pg_restart (self);
}

static void
draw_pg_loss (ReliefLessonPage *self, cairo_t *cr, double width, double height)
{
  ReliefLineSeries loss_series[2], acc_series[2];
  ReliefLinePlotSpec loss_spec, acc_spec;
  ReliefFigureOptions opt;
  guint n = 0;
  const double *steps = relief_live_curves_get_x (self->pg_curves, &n);
  const double *test_loss = relief_live_curves_get_values (self->pg_curves, TEST_LOSS);
  gboolean has_test = n > 0 && !isnan (test_loss[0]);

  if (n == 0)
    return;
  relief_figure_options_init (&opt);
  relief_figure_curves_specs (&(ReliefCurves) {
                                .n = n,
                                .steps = steps,
                                .train_loss = relief_live_curves_get_values (self->pg_curves, TRAIN_LOSS),
                                .test_loss = has_test ? test_loss : NULL,
                                .train_acc = relief_live_curves_get_values (self->pg_curves, TRAIN_ACC),
                                .test_acc = has_test ? relief_live_curves_get_values (self->pg_curves, TEST_ACC)
                                                     : NULL,
                              },
                              &opt, loss_series, &loss_spec, acc_series, &acc_spec);
  loss_spec.log_y = TRUE;
  relief_plot_lines (cr, width, height, &loss_spec, NULL);
}

/* The clicked points before any training: the data alone over the plane. */
static void
draw_pg_map (ReliefLessonPage *self, cairo_t *cr, double width, double height, ReliefPlotFrame *frame)
{
  ReliefFigureOptions opt;

  relief_figure_options_init (&opt);
  if (self->pg_map)
    {
      /* The regions as the Train page draws them: the same figure. */
      if (self->pg_regions && gtk_switch_get_active (self->regions_switch))
        relief_figure_decision_regions (cr, width, height, self->pg_map, self->pg_regions, &opt, frame);
      else
        relief_figure_decision_framed (cr, width, height, self->pg_map, &opt, frame);
      return;
    }
  {
    int n = (int) self->points->len / 3;
    g_autofree float *samples = g_new0 (float, 2 * MAX (n, 1));
    g_autofree gint32 *labels = g_new0 (gint32, MAX (n, 1));
    int classes[4] = { -1, -1, -1, -1 };
    float confidence[4] = { 0, 0, 0, 0 };
    ReliefDecisionMap empty = {
      .nx = 2, .ny = 2,
      .xmin = self->pg_plane[0], .xmax = self->pg_plane[1], .ymin = self->pg_plane[2], .ymax = self->pg_plane[3],
      .classes = classes, .confidence = confidence, .n_classes = 2,
      .n_samples = n, .samples = samples, .labels = labels,
    };

    for (int i = 0; i < n; i++)
      {
        samples[2 * i] = (float) g_array_index (self->points, double, 3 * i);
        samples[2 * i + 1] = (float) g_array_index (self->points, double, 3 * i + 1);
        labels[i] = (gint32) g_array_index (self->points, double, 3 * i + 2);
      }
    relief_figure_decision_framed (cr, width, height, &empty, &opt, frame);
  }
}

/* The playground's frame: the map on the left, as much of the width as its height allows
 * (at most 62%), the loss curves on the right. */
static void
draw_playground (ReliefLessonPage *self, cairo_t *cr, double width, double height, ReliefPlotFrame *frame)
{
  double map_width = round (MIN (width * 0.62, MAX (width * 0.5, height * 1.1)));

  draw_pg_map (self, cr, map_width, height, frame);
  cairo_save (cr);
  cairo_translate (cr, map_width, 0);
  draw_pg_loss (self, cr, width - map_width, height);
  cairo_restore (cr);
}

/* ---- Drawing ---- */

static void
begin (ReliefLessonPage *self, cairo_t *cr, int width, int height, double *w, double *h)
{
  relief_plot_screen_begin (cr, width, height, w, h);
  cairo_scale (cr, self->scale, self->scale);
  *w /= self->scale;
  *h /= self->scale;
}

static void
map_draw (GtkDrawingArea *area, cairo_t *cr, int width, int height, gpointer user_data)
{
  ReliefLessonPage *self = user_data;
  ReliefPlotFrame frame = { 0 };
  double w, h;

  begin (self, cr, width, height, &w, &h);
  if (race_mode (self))
    draw_race (self, cr, w, h, TRUE, &frame);
  else
    draw_playground (self, cr, w, h, &frame);
  self->map_frame = frame;
  relief_plot_frame_scale (&self->map_frame, RELIEF_PLOT_SCREEN_SCALE * self->scale);
  self->has_map_frame = frame.pw > 0;
}

static void
on_map_pressed (GtkGestureClick *gesture, int n_press, double px, double py, ReliefLessonPage *self)
{
  double x, y;

  if (!self->has_map_frame || !relief_plot_frame_to_data (&self->map_frame, px, py, &x, &y))
    return;
  if (race_mode (self))
    {
      GdkModifierType state = gtk_event_controller_get_current_event_state (GTK_EVENT_CONTROLLER (gesture));

      /* Middle button and Shift+drag pan the view (on_pan_begin). */
      if (gtk_gesture_single_get_current_button (GTK_GESTURE_SINGLE (gesture)) == GDK_BUTTON_MIDDLE
          || (state & GDK_SHIFT_MASK) != 0)
        return;
      self->start[0] = x;
      self->start[1] = y;
      rebuild_race (self);
      return;
    }
  {
    double point[3] = { x, y, gtk_gesture_single_get_current_button (GTK_GESTURE_SINGLE (gesture)) == 3 ? 1 : 0 };
    const char *const *names = relief_generator_names ();

    if ((int) self->points->len / 3 >= RELIEF_LESSON_MAX_POINTS)
      return;
    if (strcmp (chosen_dataset (self), "points") != 0)
      {
        /* The points keep the plane the class was looking at. */
        self->pg_plane[0] = self->map_frame.xmin, self->pg_plane[1] = self->map_frame.xmax;
        self->pg_plane[2] = self->map_frame.ymin, self->pg_plane[3] = self->map_frame.ymax;
        g_array_append_vals (self->points, point, 3);
        adw_combo_row_set_selected (self->dataset_row, g_strv_length ((char **) names));
        return;
      }
    g_array_append_vals (self->points, point, 3);
    pg_restart (self);
  }
}

/* ---- The race's view: zoom, pan, reset ---- */

/* The smallest and largest a view's side may get: below, the contours are rounding noise;
 * above, the grid's values overflow. */
#define MIN_VIEW_SIDE 1e-9
#define MAX_VIEW_SIDE 1e9

static void
set_view (ReliefLessonPage *self, const double view[4])
{
  if (!(view[1] - view[0] >= MIN_VIEW_SIDE && view[3] - view[2] >= MIN_VIEW_SIDE
        && view[1] - view[0] <= MAX_VIEW_SIDE && view[3] - view[2] <= MAX_VIEW_SIDE)
      || !isfinite (view[0]) || !isfinite (view[1]) || !isfinite (view[2]) || !isfinite (view[3]))
    return;
  memcpy (self->view, view, sizeof self->view);
  sample_grid (self);
  redraw (self);
}

void
relief_lesson_page_zoom (ReliefLessonPage *self, double factor, double x, double y)
{
  double view[4];

  g_return_if_fail (RELIEF_IS_LESSON_PAGE (self));
  g_return_if_fail (factor > 0);
  view[0] = x + (self->view[0] - x) * factor;
  view[1] = x + (self->view[1] - x) * factor;
  view[2] = y + (self->view[2] - y) * factor;
  view[3] = y + (self->view[3] - y) * factor;
  set_view (self, view);
}

void
relief_lesson_page_get_view (ReliefLessonPage *self, double view[4])
{
  g_return_if_fail (RELIEF_IS_LESSON_PAGE (self));
  memcpy (view, self->view, sizeof self->view);
}

void
relief_lesson_page_reset_view (ReliefLessonPage *self)
{
  g_return_if_fail (RELIEF_IS_LESSON_PAGE (self));
  set_view (self, self->home_view);
}

static void
on_map_motion (GtkEventControllerMotion *motion, double px, double py, ReliefLessonPage *self)
{
  self->pointer[0] = px;
  self->pointer[1] = py;
}

/* The wheel zooms the race's view about the point under the pointer: a notch down out by
 * 1.2, up in. */
static gboolean
on_map_scroll (GtkEventControllerScroll *scroll, double dx, double dy, ReliefLessonPage *self)
{
  double x, y;

  if (!race_mode (self) || !self->has_map_frame || dy == 0
      || !relief_plot_frame_to_data (&self->map_frame, self->pointer[0], self->pointer[1], &x, &y))
    return FALSE;
  relief_lesson_page_zoom (self, pow (1.2, dy), x, y);
  return TRUE;
}

/* A drag with the middle button, or with Shift, pans the race's view; a plain click is the
 * start point's. */
static void
on_pan_begin (GtkGestureDrag *drag, double px, double py, ReliefLessonPage *self)
{
  GdkModifierType state = gtk_event_controller_get_current_event_state (GTK_EVENT_CONTROLLER (drag));
  guint button = gtk_gesture_single_get_current_button (GTK_GESTURE_SINGLE (drag));

  if (!race_mode (self) || !self->has_map_frame
      || !(button == GDK_BUTTON_MIDDLE || (button == GDK_BUTTON_PRIMARY && (state & GDK_SHIFT_MASK) != 0)))
    {
      gtk_gesture_set_state (GTK_GESTURE (drag), GTK_EVENT_SEQUENCE_DENIED);
      return;
    }
  memcpy (self->drag_view, self->view, sizeof self->view);
}

static void
on_pan_update (GtkGestureDrag *drag, double ox, double oy, ReliefLessonPage *self)
{
  const ReliefPlotFrame *f = &self->map_frame;
  double dx = -ox * (self->drag_view[1] - self->drag_view[0]) / f->pw;
  double dy = oy * (self->drag_view[3] - self->drag_view[2]) / f->ph;
  double view[4] = { self->drag_view[0] + dx, self->drag_view[1] + dx, self->drag_view[2] + dy,
                     self->drag_view[3] + dy };

  if (f->pw <= 0 || f->ph <= 0)
    return;
  set_view (self, view);
}

static void
action_reset_view (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  relief_lesson_page_reset_view (RELIEF_LESSON_PAGE (widget));
}

/* ---- Transport ---- */

static void
update_transport (ReliefLessonPage *self)
{
  gboolean playing = relief_lesson_page_is_playing (self);

  gtk_button_set_icon_name (self->play_button, playing ? "media-playback-pause-symbolic"
                                                       : "media-playback-start-symbolic");
  on_speed_changed (self);
}

void
relief_lesson_page_play (ReliefLessonPage *self, gboolean play)
{
  g_return_if_fail (RELIEF_IS_LESSON_PAGE (self));
  if (race_mode (self))
    {
      self->race_playing = play && self->race != NULL;
      if (self->race_playing && self->tick_id == 0)
        {
          self->last_frame_us = 0;
          self->tick_id = gtk_widget_add_tick_callback (GTK_WIDGET (self), race_tick, NULL, NULL);
        }
      else if (!self->race_playing)
        stop_ticking (self);
    }
  else
    pg_set_playing (self, play);
  update_transport (self);
}

gboolean
relief_lesson_page_is_playing (ReliefLessonPage *self)
{
  g_return_val_if_fail (RELIEF_IS_LESSON_PAGE (self), FALSE);
  return race_mode (self) ? self->race_playing : self->pg_playing;
}

void
relief_lesson_page_step (ReliefLessonPage *self)
{
  g_return_if_fail (RELIEF_IS_LESSON_PAGE (self));
  relief_lesson_page_play (self, FALSE);
  if (race_mode (self))
    race_advance (self, 1);
  else
    pg_step (self);
}

void
relief_lesson_page_reset (ReliefLessonPage *self)
{
  g_return_if_fail (RELIEF_IS_LESSON_PAGE (self));
  if (race_mode (self))
    {
      relief_lesson_page_play (self, FALSE);
      rebuild_race (self);
    }
  else
    {
      self->pg_playing = FALSE;
      pg_restart (self);
    }
  update_transport (self);
}

gint64
relief_lesson_page_get_race_steps (ReliefLessonPage *self)
{
  g_return_val_if_fail (RELIEF_IS_LESSON_PAGE (self), 0);
  return self->race ? relief_race_n_steps (self->race) : 0;
}

gint64
relief_lesson_page_get_playground_steps (ReliefLessonPage *self)
{
  g_return_val_if_fail (RELIEF_IS_LESSON_PAGE (self), 0);
  if (self->pg_work)
    pg_tick (self);
  return self->pg_steps;
}

static void
action_play (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  ReliefLessonPage *self = RELIEF_LESSON_PAGE (widget);

  relief_lesson_page_play (self, !relief_lesson_page_is_playing (self));
}

static void
action_step (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  relief_lesson_page_step (RELIEF_LESSON_PAGE (widget));
}

static void
action_reset (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  relief_lesson_page_reset (RELIEF_LESSON_PAGE (widget));
}

static void
on_mode_changed (ReliefLessonPage *self)
{
  /* What plays in the mode left keeps its place, paused. */
  self->race_playing = FALSE;
  stop_ticking (self);
  if (self->pg_playing)
    pg_set_playing (self, FALSE);
  update_readout (self);
  gtk_widget_set_visible (self->reset_view_button, race_mode (self));
  if (race_mode (self))
    set_race_status (self);
  else if (self->pg_work == NULL)
    pg_restart (self);
  else
    pg_tick (self);
  update_transport (self);
  redraw (self);
}

static void
on_speed_changed (ReliefLessonPage *self)
{
  double rate = race_mode (self) ? speed_value (self) : playground_rate (self);
  g_autofree char *text = g_strdup_printf (_("%.3g steps/s"), rate);

  gtk_label_set_text (self->speed_label, text);
  if (self->pg_work != NULL)
    {
      g_mutex_lock (&self->pg_work->lock);
      play_set_rate (self->pg_work, playground_rate (self));
      g_mutex_unlock (&self->pg_work->lock);
    }
}

/* ---- The lesson and the controls ---- */

static void
read_controls (ReliefLessonPage *self, ReliefLesson *l)
{
  ReliefLessonRace *race = &l->race;
  ReliefLessonPlayground *pg = &l->playground;

  g_free (l->title);
  l->title = g_strdup (self->lesson ? self->lesson->title : _("Untitled lesson"));
  l->mode = race_mode (self) ? RELIEF_LESSON_RACE : RELIEF_LESSON_PLAYGROUND;
  g_free (race->function);
  race->function = g_strdup (chosen_function (self));
  g_free (race->expression);
  race->expression = g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->expression_row)));
  race->kappa = kappa_value (self);
  race->theta = gtk_range_get_value (self->theta_scale);
  memcpy (race->view, self->view, sizeof race->view);
  memcpy (race->start, self->start, sizeof race->start);
  race->steps_per_second = speed_value (self);
  for (int i = 0; i < race->n_racers; i++)
    g_free (race->racers[i].optimizer);
  g_free (race->racers);
  race->n_racers = (int) self->racer_rows->len;
  race->racers = g_new0 (ReliefLessonRacer, MAX (race->n_racers, 1));
  for (int i = 0; i < race->n_racers; i++)
    {
      RacerRow *row = g_ptr_array_index (self->racer_rows, i);
      ReliefLessonRacer *r = &race->racers[i];

      r->optimizer = g_strdup (row_optimizer (row));
      r->lr = gtk_spin_button_get_value (row->lr);
      r->momentum = gtk_spin_button_get_value (row->momentum);
      r->beta1 = gtk_spin_button_get_value (row->beta1);
      r->beta2 = gtk_spin_button_get_value (row->beta2);
      r->colour = row_colour (row);
    }
  g_free (pg->dataset);
  pg->dataset = g_strdup (chosen_dataset (self));
  g_free (pg->layers);
  pg->n_layers = (int) self->layer_spins->len;
  pg->layers = g_new0 (int, MAX (pg->n_layers, 1));
  for (int i = 0; i < pg->n_layers; i++)
    pg->layers[i] = gtk_spin_button_get_value_as_int (g_ptr_array_index (self->layer_spins, i));
  {
    int act;

    if (relief_enum_from_nick (RELIEF_TYPE_ACTIVATION,
                               gtk_string_list_get_string (self->activation_list,
                                                           adw_combo_row_get_selected (self->activation_row)),
                               &act, NULL))
      pg->activation = act;
  }
  pg->lr = gtk_spin_button_get_value (self->pg_lr_spin);
  pg->batch = gtk_spin_button_get_value_as_int (self->pg_batch_spin);
  pg->l2 = gtk_spin_button_get_value (self->pg_l2_spin);
  pg->regions = gtk_switch_get_active (self->regions_switch);
  if (self->lesson)
    pg->seed = self->lesson->playground.seed;
  g_free (pg->points);
  pg->n_points = (int) self->points->len / 3;
  pg->points = g_memdup2 (self->points->data, self->points->len * sizeof (double));
}

ReliefLesson *
relief_lesson_page_get_lesson (ReliefLessonPage *self)
{
  ReliefLesson *l;

  g_return_val_if_fail (RELIEF_IS_LESSON_PAGE (self), NULL);
  l = relief_lesson_copy (self->lesson);
  read_controls (self, l);
  return l;
}

static void
update_presets_menu (ReliefLessonPage *self)
{
  g_menu_remove_all (self->presets_section);
  for (int i = 0; i < self->lesson->n_presets; i++)
    {
      g_autofree char *label = g_strdup_printf ("%d  %s", i + 1, self->lesson->presets[i].name);
      g_autoptr(GMenuItem) item = g_menu_item_new (NULL, NULL);

      g_menu_item_set_attribute (item, "label", "s", label);
      g_menu_item_set_action_and_target_value (item, "lesson.preset", g_variant_new_int32 (i));
      g_menu_append_item (self->presets_section, item);
    }
}

/* Shows l in the controls; what plays stops and starts over. */
static void
show_lesson (ReliefLessonPage *self, const ReliefLesson *l, gboolean keep_presets)
{
  const char *const *names = relief_function_builtins ();
  const char *const *datasets = relief_generator_names ();
  guint index = g_strv_length ((char **) names);
  GtkWidget *child;

  relief_lesson_page_play (self, FALSE);
  self->pg_playing = FALSE;
  if (!keep_presets)
    {
      relief_lesson_free (self->lesson);
      self->lesson = relief_lesson_copy (l);
      update_presets_menu (self);
    }
  gtk_label_set_text (self->title_label, l->title);
  self->updating = TRUE;
  for (guint i = 0; names[i] != NULL; i++)
    if (strcmp (names[i], l->race.function) == 0)
      index = i;
  adw_combo_row_set_selected (self->function_row, index);
  gtk_editable_set_text (GTK_EDITABLE (self->expression_row), l->race.expression);
  gtk_range_set_value (self->kappa_scale, log10 (l->race.kappa));
  gtk_range_set_value (self->theta_scale, l->race.theta);
  gtk_range_set_value (self->speed_scale, log10 (l->race.steps_per_second));
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->racers_box))) != NULL)
    gtk_box_remove (self->racers_box, child);
  g_ptr_array_set_size (self->racer_rows, 0);
  for (int i = 0; i < l->race.n_racers; i++)
    add_racer_row (self, &l->race.racers[i]);
  index = g_strv_length ((char **) datasets);
  for (guint i = 0; datasets[i] != NULL; i++)
    if (strcmp (datasets[i], l->playground.dataset) == 0)
      index = i;
  adw_combo_row_set_selected (self->dataset_row, index);
  update_layers (self, l->playground.layers, l->playground.n_layers);
  for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (self->activation_list)); i++)
    if (strcmp (gtk_string_list_get_string (self->activation_list, i),
                relief_enum_to_nick (RELIEF_TYPE_ACTIVATION, l->playground.activation)) == 0)
      adw_combo_row_set_selected (self->activation_row, i);
  gtk_spin_button_set_value (self->pg_lr_spin, l->playground.lr);
  gtk_spin_button_set_value (self->pg_batch_spin, l->playground.batch);
  gtk_spin_button_set_value (self->pg_l2_spin, l->playground.l2);
  gtk_switch_set_active (self->regions_switch, l->playground.regions);
  g_array_set_size (self->points, 0);
  g_array_append_vals (self->points, l->playground.points, 3 * l->playground.n_points);
  self->pg_plane[0] = -1.5, self->pg_plane[1] = 1.5, self->pg_plane[2] = -1.5, self->pg_plane[3] = 1.5;
  for (int i = 0; i < l->playground.n_points; i++)
    {
      const double *p = &l->playground.points[3 * i];

      self->pg_plane[0] = MIN (self->pg_plane[0], p[0] - 0.2), self->pg_plane[1] = MAX (self->pg_plane[1], p[0] + 0.2);
      self->pg_plane[2] = MIN (self->pg_plane[2], p[1] - 0.2), self->pg_plane[3] = MAX (self->pg_plane[3], p[1] + 0.2);
    }
  adw_view_stack_set_visible_child_name (self->mode_stack, l->mode == RELIEF_LESSON_RACE ? "race" : "playground");
  self->updating = FALSE;
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "lesson.add-racer",
                                 self->racer_rows->len < RELIEF_LESSON_MAX_RACERS);
  rebuild_function (self, FALSE);
  memcpy (self->view, l->race.view, sizeof self->view);
  memcpy (self->home_view, l->race.view, sizeof self->view);
  memcpy (self->start, l->race.start, sizeof self->start);
  sample_grid (self);
  rebuild_race (self);
  g_clear_pointer (&self->pg_job, relief_worker_drop);
  self->pg_work = NULL;
  g_clear_pointer (&self->pg_map, relief_decision_map_free);
  g_clear_pointer (&self->pg_regions, relief_regions_free);
  g_clear_pointer (&self->pg_regions_error, g_free);
  update_regions_row (self);
  relief_live_curves_clear (self->pg_curves);
  if (!race_mode (self))
    pg_restart (self);
  on_speed_changed (self);
  update_transport (self);
  redraw (self);
}

void
relief_lesson_page_set_lesson (ReliefLessonPage *self, const ReliefLesson *lesson)
{
  g_return_if_fail (RELIEF_IS_LESSON_PAGE (self));
  show_lesson (self, lesson, FALSE);
}

gboolean
relief_lesson_page_apply_preset (ReliefLessonPage *self, int i)
{
  g_autoptr(ReliefLesson) base = NULL;
  g_autoptr(ReliefLesson) applied = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *message = NULL;

  g_return_val_if_fail (RELIEF_IS_LESSON_PAGE (self), FALSE);
  if (i < 0 || i >= self->lesson->n_presets)
    {
      message = g_strdup_printf (_("This lesson has no preset %d"), i + 1);
      relief_page_toast (RELIEF_PAGE (self), message);
      return FALSE;
    }
  /* A preset varies the lesson as it was opened, not what the controls became since. */
  applied = relief_lesson_apply_preset (self->lesson, i, &error);
  if (applied == NULL)
    {
      relief_page_report_error (RELIEF_PAGE (self), _("The preset cannot be applied"), error->message);
      return FALSE;
    }
  show_lesson (self, applied, TRUE);
  message = g_strdup_printf (_("Preset %d: %s"), i + 1, self->lesson->presets[i].name);
  relief_page_toast (RELIEF_PAGE (self), message);
  return TRUE;
}

gboolean
relief_lesson_page_open_lesson (ReliefLessonPage *self, const char *path, GError **error)
{
  g_autoptr(ReliefLesson) l = relief_lesson_load (path, error);

  if (l == NULL)
    return FALSE;
  relief_lesson_page_set_lesson (self, l);
  return TRUE;
}

gboolean
relief_lesson_page_save_lesson (ReliefLessonPage *self, const char *path, GError **error)
{
  g_autoptr(ReliefLesson) l = relief_lesson_page_get_lesson (self);
  g_autofree char *text = relief_lesson_to_data (l, NULL);
  g_autofree char *name = g_filename_display_basename (path);
  g_autoptr(ReliefLesson) check = NULL;

  /* What would not open again (a bad expression being typed) is not saved. */
  if (!(check = relief_lesson_load_data (text, strlen (text), name, error)))
    return FALSE;
  if (!relief_lesson_save (l, path, error))
    return FALSE;
  relief_lesson_free (self->lesson);
  self->lesson = g_steal_pointer (&l);
  return TRUE;
}

gboolean
relief_lesson_page_load_shipped (ReliefLessonPage *self, const char *name, GError **error)
{
  g_autofree char *resource = g_strdup_printf ("/org/relief/Relief/lessons/%s" RELIEF_LESSON_SUFFIX, name);
  g_autoptr(GBytes) bytes = g_resources_lookup_data (resource, G_RESOURCE_LOOKUP_FLAGS_NONE, error);
  g_autoptr(ReliefLesson) l = NULL;
  gsize size;
  const char *data;

  if (bytes == NULL)
    return FALSE;
  data = g_bytes_get_data (bytes, &size);
  if (!(l = relief_lesson_load_data (data, size, name, error)))
    return FALSE;
  relief_lesson_page_set_lesson (self, l);
  return TRUE;
}

static void
action_load_shipped (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  ReliefLessonPage *self = RELIEF_LESSON_PAGE (widget);
  g_autoptr(GError) error = NULL;

  if (!relief_lesson_page_load_shipped (self, g_variant_get_string (parameter, NULL), &error))
    relief_page_report_error (RELIEF_PAGE (self), _("The lesson cannot be opened"), error->message);
}

static void
action_preset (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  relief_lesson_page_apply_preset (RELIEF_LESSON_PAGE (widget), g_variant_get_int32 (parameter));
}

static void
open_chosen (ReliefPage *page, GFile *file)
{
  g_autofree char *path = g_file_get_path (file);
  g_autoptr(GError) error = NULL;

  if (path == NULL)
    g_set_error_literal (&error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED, _("Choose a local file"));
  if (error != NULL || !relief_lesson_page_open_lesson (RELIEF_LESSON_PAGE (page), path, &error))
    relief_page_report_error (page, _("The lesson cannot be opened"), error->message);
}

static void
save_chosen (ReliefPage *page, GFile *file)
{
  g_autofree char *path = g_file_get_path (file);
  g_autofree char *basename = g_file_get_basename (file);
  g_autoptr(GError) error = NULL;

  if (path == NULL)
    g_set_error_literal (&error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED, _("Choose a local file"));
  if (error != NULL || !relief_lesson_page_save_lesson (RELIEF_LESSON_PAGE (page), path, &error))
    relief_page_report_error (page, _("The lesson cannot be saved"), error->message);
  else
    {
      g_autofree char *message = g_strdup_printf (_("Saved %s"), basename);

      relief_page_toast (page, message);
    }
}

static void
action_open (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  ReliefPage *page = RELIEF_PAGE (widget);
  GtkFileChooserNative *chooser = gtk_file_chooser_native_new (_("Open a Lesson"),
                                                               GTK_WINDOW (gtk_widget_get_root (widget)),
                                                               GTK_FILE_CHOOSER_ACTION_OPEN, _("_Open"),
                                                               _("_Cancel"));
  g_autoptr(GtkFileFilter) filter = gtk_file_filter_new ();

  gtk_file_filter_set_name (filter, _("Lessons"));
  gtk_file_filter_add_pattern (filter, "*" RELIEF_LESSON_SUFFIX);
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (chooser), filter);
  relief_page_choose_file (page, chooser, open_chosen);
}

static void
action_save (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  static const char *const names[] = { N_("Lesson") };
  static const char *const patterns[] = { "*" RELIEF_LESSON_SUFFIX };
  ReliefLessonPage *self = RELIEF_LESSON_PAGE (widget);
  g_autofree char *stem = g_strdelimit (g_ascii_strdown (self->lesson->title[0] ? self->lesson->title : "lesson", -1),
                                        " /\\:", '-');
  g_autofree char *name = g_strconcat (stem, RELIEF_LESSON_SUFFIX, NULL);

  relief_page_choose_save (RELIEF_PAGE (self), _("Save the Lesson"), name, names, patterns, 1, save_chosen);
}

/* ---- Presentation mode ---- */

void
relief_lesson_page_set_presenting (ReliefLessonPage *self, gboolean presenting)
{
  GtkRoot *root;

  g_return_if_fail (RELIEF_IS_LESSON_PAGE (self));
  presenting = !!presenting;
  if (self->presenting == presenting)
    return;
  self->presenting = presenting;
  self->scale = presenting ? RELIEF_LESSON_PRESENTATION_SCALE : 1.0;
  gtk_widget_set_visible (self->sidebar, !presenting);
  gtk_widget_set_visible (GTK_WIDGET (self->progress_bar), FALSE);
  if (presenting)
    gtk_widget_add_css_class (GTK_WIDGET (self), "relief-presenting");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self), "relief-presenting");
  gtk_toggle_button_set_active (self->present_button, presenting);
  root = gtk_widget_get_root (GTK_WIDGET (self));
  if (GTK_IS_WINDOW (root))
    {
      if (presenting)
        gtk_window_fullscreen (GTK_WINDOW (root));
      else
        gtk_window_unfullscreen (GTK_WINDOW (root));
    }
  if (presenting)
    gtk_widget_grab_focus (GTK_WIDGET (self->map_area));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PRESENTING]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SCALE]);
  redraw (self);
}

gboolean
relief_lesson_page_get_presenting (ReliefLessonPage *self)
{
  g_return_val_if_fail (RELIEF_IS_LESSON_PAGE (self), FALSE);
  return self->presenting;
}

double
relief_lesson_page_get_scale (ReliefLessonPage *self)
{
  g_return_val_if_fail (RELIEF_IS_LESSON_PAGE (self), 1.0);
  return self->scale;
}

static void
action_present (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  ReliefLessonPage *self = RELIEF_LESSON_PAGE (widget);

  relief_lesson_page_set_presenting (self, !self->presenting);
}

static void
relief_lesson_page_present (ReliefPage *page)
{
  ReliefLessonPage *self = RELIEF_LESSON_PAGE (page);

  relief_lesson_page_set_presenting (self, !self->presenting);
}

/* In presentation mode the keys drive the lesson: space, Right, r, 1-9, Escape, wherever
 * the focus is in the window (the controller is the window's, in the capture phase).
 * Outside it they are the focused control's (space in an entry, a spin button). */
static gboolean
on_key_pressed (GtkEventControllerKey *controller, guint keyval, guint keycode, GdkModifierType state,
                ReliefLessonPage *self)
{
  if (!self->presenting || !gtk_widget_get_mapped (GTK_WIDGET (self))
      || (state & (GDK_CONTROL_MASK | GDK_ALT_MASK)) != 0)
    return FALSE;
  switch (keyval)
    {
    case GDK_KEY_space:
      relief_lesson_page_play (self, !relief_lesson_page_is_playing (self));
      return TRUE;
    case GDK_KEY_Right:
      relief_lesson_page_step (self);
      return TRUE;
    case GDK_KEY_r:
    case GDK_KEY_R:
      relief_lesson_page_reset (self);
      return TRUE;
    case GDK_KEY_Escape:
      relief_lesson_page_set_presenting (self, FALSE);
      return TRUE;
    default:
      if (keyval >= GDK_KEY_1 && keyval <= GDK_KEY_9)
        {
          relief_lesson_page_apply_preset (self, (int) (keyval - GDK_KEY_1));
          return TRUE;
        }
      if (keyval >= GDK_KEY_KP_1 && keyval <= GDK_KEY_KP_9)
        {
          relief_lesson_page_apply_preset (self, (int) (keyval - GDK_KEY_KP_1));
          return TRUE;
        }
      return FALSE;
    }
}

/* The keys' controller goes on the window the page is in. */
static void
relief_lesson_page_root (GtkWidget *widget)
{
  ReliefLessonPage *self = RELIEF_LESSON_PAGE (widget);

  GTK_WIDGET_CLASS (relief_lesson_page_parent_class)->root (widget);
  self->window_keys = gtk_event_controller_key_new ();
  gtk_event_controller_set_name (self->window_keys, "relief-lesson-keys");
  gtk_event_controller_set_propagation_phase (self->window_keys, GTK_PHASE_CAPTURE);
  g_signal_connect (self->window_keys, "key-pressed", G_CALLBACK (on_key_pressed), self);
  gtk_widget_add_controller (GTK_WIDGET (gtk_widget_get_root (widget)), self->window_keys);
}

static void
relief_lesson_page_unroot (GtkWidget *widget)
{
  ReliefLessonPage *self = RELIEF_LESSON_PAGE (widget);

  if (self->window_keys)
    {
      gtk_widget_remove_controller (GTK_WIDGET (gtk_widget_get_root (widget)), self->window_keys);
      self->window_keys = NULL;
    }
  GTK_WIDGET_CLASS (relief_lesson_page_parent_class)->unroot (widget);
}

/* Another page shown (Alt+N) ends the presentation: its keys and full screen are the
 * lesson's. */
static void
relief_lesson_page_unmap (GtkWidget *widget)
{
  relief_lesson_page_set_presenting (RELIEF_LESSON_PAGE (widget), FALSE);
  GTK_WIDGET_CLASS (relief_lesson_page_parent_class)->unmap (widget);
}

/* ---- The page's class ---- */

static void
relief_lesson_page_run (ReliefPage *page)
{
  ReliefLessonPage *self = RELIEF_LESSON_PAGE (page);

  relief_lesson_page_play (self, !relief_lesson_page_is_playing (self));
}

static gboolean
relief_lesson_page_dismiss (ReliefPage *page)
{
  ReliefLessonPage *self = RELIEF_LESSON_PAGE (page);

  if (!self->presenting)
    return FALSE;
  relief_lesson_page_set_presenting (self, FALSE);
  return TRUE;
}

#define FIGURE_WIDTH 792.0
#define FIGURE_HEIGHT 460.0

static void
draw_page_figure (cairo_t *cr, double width, double height, gpointer user_data)
{
  ReliefLessonPage *self = user_data;

  cairo_set_source_rgb (cr, 1, 1, 1);
  cairo_paint (cr);
  if (race_mode (self))
    {
      draw_race (self, cr, width, height, TRUE, NULL);
      return;
    }
  draw_playground (self, cr, width, height, &(ReliefPlotFrame) { 0 });
}

void
relief_lesson_page_export_figure (ReliefLessonPage *self, GFile *file)
{
  g_return_if_fail (RELIEF_IS_LESSON_PAGE (self));
  relief_page_write_figure (RELIEF_PAGE (self), file, FIGURE_WIDTH, FIGURE_HEIGHT, draw_page_figure, self);
}

static void
export_figure_to (ReliefPage *page, GFile *file)
{
  relief_lesson_page_export_figure (RELIEF_LESSON_PAGE (page), file);
}

static void
relief_lesson_page_export (ReliefPage *page)
{
  relief_page_choose_figure (page, _("Export the Frame"), race_mode (RELIEF_LESSON_PAGE (page)) ? "race.pdf"
                                                                                               : "playground.pdf",
                             export_figure_to);
}

/* ---- The race as a GIF ---- */

/* The most frames an animation gets: a longer race skips steps between them. */
#define MAX_ANIMATION_FRAMES 600

typedef struct AnimWork {
  ReliefWorkShared shared;
  ReliefRaceFile *race;
  ReliefRaceGrid *grid;
  char           *path;
  int             width, height, n_frames;
  double          fps;
} AnimWork;

static void
anim_work_free (gpointer data)
{
  AnimWork *w = data;

  relief_race_file_free (w->race);
  relief_race_grid_free (w->grid);
  g_free (w->path);
  relief_work_shared_clear (&w->shared);
  g_free (w);
}

static void
anim_draw (cairo_t *cr, int width, int height, int frame, gpointer user_data)
{
  AnimWork *w = user_data;
  ReliefFigureOptions opt;
  gint64 step = w->n_frames > 1 ? (gint64) llround ((double) frame * w->race->n_steps / (w->n_frames - 1)) : 0;

  cairo_set_source_rgb (cr, 1, 1, 1);
  cairo_paint (cr);
  relief_figure_options_init (&opt);
  relief_figure_race_frame (cr, width, height, w->race, w->grid, step, &opt, NULL);
}

static gboolean
anim_work_run (gpointer data, GCancellable *cancellable, GError **error)
{
  AnimWork *w = data;

  return relief_plot_anim_gif (w->path, w->width, w->height, w->n_frames, w->fps, anim_draw, w,
                               relief_work_shared_progress, w, cancellable, error);
}

static void
anim_tick (gpointer owner)
{
  ReliefLessonPage *self = owner;

  relief_page_set_progress (RELIEF_PAGE (self), relief_work_shared_get_fraction (&self->anim_work->shared));
}

static void
anim_done (gpointer owner, const GError *error)
{
  ReliefLessonPage *self = owner;
  g_autofree char *name = g_path_get_basename (self->anim_work->path);
  g_autofree char *message = NULL;

  self->anim_work = NULL;
  gtk_widget_set_visible (GTK_WIDGET (self->progress_bar), FALSE);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    relief_page_report_cancelled (RELIEF_PAGE (self), _("The animation was cancelled: nothing was written"));
  else if (error)
    relief_page_report_error (RELIEF_PAGE (self), _("The animation could not be written"), error->message);
  else
    {
      message = g_strdup_printf (_("Exported %s"), name);
      relief_page_toast (RELIEF_PAGE (self), message);
      set_race_status (self);
    }
}

gboolean
relief_lesson_page_export_animation (ReliefLessonPage *self, const char *path, double fps, int width, int height,
                                     GError **error)
{
  AnimWork *w;

  g_return_val_if_fail (RELIEF_IS_LESSON_PAGE (self), FALSE);
  if (self->race == NULL || relief_race_n_steps (self->race) == 0)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                           _("Nothing to animate yet: play or step the race first"));
      return FALSE;
    }
  if (!(fps >= 0.5 && fps <= 100) || width < 64 || width > 4096 || height < 64 || height > 4096)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _("An animation of %g frames a second and %d x %d pixels: 0.5 to 100 frames a second, "
                     "64 to 4096 pixels"), fps, width, height);
      return FALSE;
    }
  relief_lesson_page_play (self, FALSE);
  w = g_new0 (AnimWork, 1);
  relief_work_shared_init (&w->shared);
  w->race = race_as_file (self);
  w->grid = relief_race_grid_new (self->grid->nx, self->grid->ny, self->view[0], self->view[1], self->view[2],
                                  self->view[3]);
  memcpy (w->grid->z, self->grid->z, (gsize) self->grid->nx * self->grid->ny * sizeof (double));
  w->path = g_strdup (path);
  w->fps = fps;
  w->width = width;
  w->height = height;
  w->n_frames = (int) MIN (w->race->n_steps + 1, MAX_ANIMATION_FRAMES);
  self->anim_work = w;
  gtk_widget_set_visible (GTK_WIDGET (self->progress_bar), TRUE);
  relief_page_set_status (RELIEF_PAGE (self), _("Writing the animation…"));
  relief_page_start_job (RELIEF_PAGE (self), anim_work_run, w, anim_work_free, anim_tick, anim_done);
  return TRUE;
}

/* What the dialog chose, until the file is. */
typedef struct {
  double fps;
  int    width, height;
} AnimChoice;

static void
anim_file_chosen (ReliefPage *page, GFile *file)
{
  ReliefLessonPage *self = RELIEF_LESSON_PAGE (page);
  AnimChoice *choice = g_object_get_data (G_OBJECT (self), "anim-choice");
  g_autofree char *path = g_file_get_path (file);
  g_autoptr(GError) error = NULL;

  if (path == NULL)
    g_set_error_literal (&error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED, _("Choose a local file"));
  if (error != NULL || !relief_lesson_page_export_animation (self, path, choice->fps, choice->width, choice->height,
                                                             &error))
    relief_page_report_error (page, _("The animation could not be written"), error->message);
}

static void
on_anim_dialog_response (AdwMessageDialog *dialog, const char *response, ReliefLessonPage *self)
{
  static const char *const names[] = { N_("GIF animation") };
  static const char *const patterns[] = { "*.gif" };
  AnimChoice *choice;

  if (g_strcmp0 (response, "export") != 0)
    return;
  choice = g_new (AnimChoice, 1);
  choice->fps = gtk_spin_button_get_value (g_object_get_data (G_OBJECT (dialog), "fps"));
  choice->width = gtk_spin_button_get_value_as_int (g_object_get_data (G_OBJECT (dialog), "width"));
  choice->height = gtk_spin_button_get_value_as_int (g_object_get_data (G_OBJECT (dialog), "height"));
  g_object_set_data_full (G_OBJECT (self), "anim-choice", choice, g_free);
  relief_page_choose_save (RELIEF_PAGE (self), _("Export the Race as a GIF"), "race.gif", names, patterns, 1,
                           anim_file_chosen);
}

static void
action_export_animation (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  ReliefLessonPage *self = RELIEF_LESSON_PAGE (widget);
  GtkWidget *grid = gtk_grid_new ();
  GtkSpinButton *fps = small_spin (0.5, 100, 1, 1);
  GtkSpinButton *width = small_spin (64, 4096, 10, 0);
  GtkSpinButton *height = small_spin (64, 4096, 10, 0);
  const char *labels[] = { N_("Frames per second"), N_("Width (pixels)"), N_("Height (pixels)") };
  GtkWidget *spins[] = { GTK_WIDGET (fps), GTK_WIDGET (width), GTK_WIDGET (height) };
  AdwMessageDialog *dialog;
  g_autofree char *body = NULL;

  if (self->race == NULL || relief_race_n_steps (self->race) == 0)
    {
      relief_page_report_error (RELIEF_PAGE (self), _("Nothing to animate yet"), _("Play or step the race first."));
      return;
    }
  body = g_strdup_printf (_("The race so far, %lld steps, in up to %d frames."),
                          (long long) relief_race_n_steps (self->race), MAX_ANIMATION_FRAMES);
  dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (GTK_WINDOW (gtk_widget_get_root (widget)),
                                                       _("Export the Race as a GIF"), body));
  gtk_spin_button_set_value (fps, 15);
  gtk_spin_button_set_value (width, 800);
  gtk_spin_button_set_value (height, 450);
  gtk_grid_set_row_spacing (GTK_GRID (grid), 6);
  gtk_grid_set_column_spacing (GTK_GRID (grid), 12);
  for (int i = 0; i < 3; i++)
    {
      GtkWidget *label = gtk_label_new (_(labels[i]));

      gtk_label_set_xalign (GTK_LABEL (label), 0);
      gtk_grid_attach (GTK_GRID (grid), label, 0, i, 1, 1);
      gtk_grid_attach (GTK_GRID (grid), spins[i], 1, i, 1, 1);
    }
  adw_message_dialog_set_extra_child (dialog, grid);
  adw_message_dialog_add_responses (dialog, "cancel", _("_Cancel"), "export", _("_Choose File…"), NULL);
  adw_message_dialog_set_response_appearance (dialog, "export", ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (dialog, "export");
  g_object_set_data (G_OBJECT (dialog), "fps", fps);
  g_object_set_data (G_OBJECT (dialog), "width", width);
  g_object_set_data (G_OBJECT (dialog), "height", height);
  g_signal_connect (dialog, "response", G_CALLBACK (on_anim_dialog_response), self);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
relief_lesson_page_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  ReliefLessonPage *self = RELIEF_LESSON_PAGE (object);

  switch (prop_id)
    {
    case PROP_SCALE:
      g_value_set_double (value, self->scale);
      break;
    case PROP_PRESENTING:
      g_value_set_boolean (value, self->presenting);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
relief_lesson_page_set_property (GObject *object, guint prop_id, const GValue *value, GParamSpec *pspec)
{
  switch (prop_id)
    {
    case PROP_PRESENTING:
      relief_lesson_page_set_presenting (RELIEF_LESSON_PAGE (object), g_value_get_boolean (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
relief_lesson_page_dispose (GObject *object)
{
  ReliefLessonPage *self = RELIEF_LESSON_PAGE (object);

  stop_ticking (self);
  g_clear_pointer (&self->pg_job, relief_worker_drop);
  self->pg_work = NULL;
  G_OBJECT_CLASS (relief_lesson_page_parent_class)->dispose (object);
}

static void
relief_lesson_page_finalize (GObject *object)
{
  ReliefLessonPage *self = RELIEF_LESSON_PAGE (object);

  relief_lesson_free (self->lesson);
  g_ptr_array_unref (self->racer_rows);
  g_ptr_array_unref (self->layer_spins);
  g_clear_pointer (&self->race, relief_race_free);
  g_clear_pointer (&self->function, relief_function_free);
  g_clear_pointer (&self->backend, relief_backend_free);
  g_free (self->race_error);
  g_clear_pointer (&self->grid, relief_race_grid_free);
  relief_decision_map_free (self->pg_map);
  g_clear_pointer (&self->pg_regions, relief_regions_free);
  g_free (self->pg_regions_error);
  relief_live_curves_free (self->pg_curves);
  g_array_unref (self->points);
  G_OBJECT_CLASS (relief_lesson_page_parent_class)->finalize (object);
}

#define CHILD(field) RELIEF_TEMPLATE_CHILD (ReliefLessonPage, field)
static const ReliefTemplateChild children[] = {
  CHILD (paned), CHILD (sidebar), CHILD (mode_stack), CHILD (function_row), CHILD (function_list),
  CHILD (expression_row), CHILD (expression_error), CHILD (kappa_row), CHILD (kappa_scale), CHILD (theta_row),
  CHILD (theta_scale), CHILD (lambda_label), CHILD (racers_box), CHILD (dataset_row), CHILD (dataset_list),
  CHILD (layers_box), CHILD (activation_row), CHILD (activation_list), CHILD (pg_lr_spin), CHILD (pg_batch_spin),
  CHILD (pg_l2_spin), CHILD (regions_row), CHILD (regions_switch), CHILD (play_button), CHILD (present_button), CHILD (speed_scale), CHILD (speed_label),
  CHILD (reset_view_button),
  CHILD (speed_box), CHILD (title_label), CHILD (status_label), CHILD (readout_label), CHILD (progress_bar),
  CHILD (map_area), CHILD (shipped_section), CHILD (presets_section)
};
#undef CHILD

static void
relief_lesson_page_class_init (ReliefLessonPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  ReliefPageClass *page_class = RELIEF_PAGE_CLASS (klass);

  object_class->dispose = relief_lesson_page_dispose;
  object_class->finalize = relief_lesson_page_finalize;
  object_class->get_property = relief_lesson_page_get_property;
  object_class->set_property = relief_lesson_page_set_property;
  page_class->run = relief_lesson_page_run;
  page_class->export = relief_lesson_page_export;
  page_class->dismiss = relief_lesson_page_dismiss;
  page_class->present = relief_lesson_page_present;
  widget_class->root = relief_lesson_page_root;
  widget_class->unroot = relief_lesson_page_unroot;
  widget_class->unmap = relief_lesson_page_unmap;

  properties[PROP_SCALE] = g_param_spec_double ("scale", NULL, NULL, 1, 4, 1,
                                                G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_PRESENTING] = g_param_spec_boolean ("presenting", NULL, NULL, FALSE,
                                                      G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY
                                                        | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_install_action (widget_class, "lesson.play", NULL, action_play);
  gtk_widget_class_install_action (widget_class, "lesson.step", NULL, action_step);
  gtk_widget_class_install_action (widget_class, "lesson.reset", NULL, action_reset);
  gtk_widget_class_install_action (widget_class, "lesson.present", NULL, action_present);
  gtk_widget_class_install_action (widget_class, "lesson.reset-view", NULL, action_reset_view);
  gtk_widget_class_install_action (widget_class, "lesson.add-racer", NULL, action_add_racer);
  gtk_widget_class_install_action (widget_class, "lesson.add-layer", NULL, action_add_layer);
  gtk_widget_class_install_action (widget_class, "lesson.remove-layer", NULL, action_remove_layer);
  gtk_widget_class_install_action (widget_class, "lesson.clear-points", NULL, action_clear_points);
  gtk_widget_class_install_action (widget_class, "lesson.open", NULL, action_open);
  gtk_widget_class_install_action (widget_class, "lesson.save", NULL, action_save);
  gtk_widget_class_install_action (widget_class, "lesson.load-shipped", "s", action_load_shipped);
  gtk_widget_class_install_action (widget_class, "lesson.preset", "i", action_preset);
  gtk_widget_class_install_action (widget_class, "lesson.export-animation", NULL, action_export_animation);
  /* F5 is the window's win.present (relief-application.c), wherever the focus is. */

  relief_page_class_set_template (page_class, "/org/relief/Relief/ui/relief-lesson-page.ui",
                                  children, G_N_ELEMENTS (children));
}

static const char *
shipped_title (const char *name)
{
  g_autofree char *resource = g_strdup_printf ("/org/relief/Relief/lessons/%s" RELIEF_LESSON_SUFFIX, name);
  g_autoptr(GBytes) bytes = g_resources_lookup_data (resource, G_RESOURCE_LOOKUP_FLAGS_NONE, NULL);
  g_autoptr(ReliefLesson) l = NULL;
  gsize size;
  const char *data;

  if (bytes == NULL)
    return g_intern_string (name);
  data = g_bytes_get_data (bytes, &size);
  l = relief_lesson_load_data (data, size, name, NULL);
  return g_intern_string (l ? l->title : name);
}

static char *
format_power (GtkScale *scale, double value, gpointer user_data)
{
  return g_strdup_printf ("%.3g", pow (10, value));
}

static void
relief_lesson_page_init (ReliefLessonPage *self)
{
  g_autoptr(ReliefLesson) first = relief_lesson_new_default ();
  const char *const *names = relief_function_builtins ();
  const char *const *datasets = relief_generator_names ();
  GtkGesture *click = gtk_gesture_click_new ();
  GEnumClass *activations = g_type_class_ref (RELIEF_TYPE_ACTIVATION);

  gtk_widget_init_template (GTK_WIDGET (self));
  relief_page_set_status_widgets (RELIEF_PAGE (self), self->status_label, self->progress_bar);
  self->scale = 1.0;
  self->racer_rows = g_ptr_array_new_with_free_func (racer_row_free);
  self->layer_spins = g_ptr_array_new ();
  self->points = g_array_new (FALSE, FALSE, sizeof (double));
  self->pg_curves = relief_live_curves_new (N_CURVES, 512);
  self->backend = relief_backend_new ("cpu", NULL);
  for (int i = 0; names[i] != NULL; i++)
    gtk_string_list_append (self->function_list, names[i]);
  gtk_string_list_append (self->function_list, _("Custom expression"));
  for (int i = 0; datasets[i] != NULL; i++)
    gtk_string_list_append (self->dataset_list, datasets[i]);
  gtk_string_list_append (self->dataset_list, _("Clicked points"));
  for (guint i = 0; i < activations->n_values; i++)
    gtk_string_list_append (self->activation_list, activations->values[i].value_nick);
  g_type_class_unref (activations);
  for (guint i = 0; i < G_N_ELEMENTS (shipped_lessons); i++)
    {
      g_autoptr(GMenuItem) item = g_menu_item_new (NULL, NULL);

      g_menu_item_set_attribute (item, "label", "s", shipped_title (shipped_lessons[i]));
      g_menu_item_set_action_and_target_value (item, "lesson.load-shipped", g_variant_new_string (shipped_lessons[i]));
      g_menu_append_item (self->shipped_section, item);
    }

  gtk_scale_set_format_value_func (GTK_SCALE (self->kappa_scale), format_power, NULL, NULL);
  gtk_drawing_area_set_draw_func (self->map_area, map_draw, self, NULL);
  gtk_widget_set_focusable (GTK_WIDGET (self->map_area), TRUE);
  gtk_gesture_single_set_button (GTK_GESTURE_SINGLE (click), 0);
  g_signal_connect (click, "pressed", G_CALLBACK (on_map_pressed), self);
  gtk_widget_add_controller (GTK_WIDGET (self->map_area), GTK_EVENT_CONTROLLER (click));
  {
    GtkEventController *motion = gtk_event_controller_motion_new ();
    GtkEventController *scroll = gtk_event_controller_scroll_new (GTK_EVENT_CONTROLLER_SCROLL_VERTICAL);
    GtkGesture *pan = gtk_gesture_drag_new ();

    g_signal_connect (motion, "enter", G_CALLBACK (on_map_motion), self);
    g_signal_connect (motion, "motion", G_CALLBACK (on_map_motion), self);
    gtk_widget_add_controller (GTK_WIDGET (self->map_area), motion);
    g_signal_connect (scroll, "scroll", G_CALLBACK (on_map_scroll), self);
    gtk_widget_add_controller (GTK_WIDGET (self->map_area), scroll);
    gtk_gesture_single_set_button (GTK_GESTURE_SINGLE (pan), 0);
    g_signal_connect (pan, "drag-begin", G_CALLBACK (on_pan_begin), self);
    g_signal_connect (pan, "drag-update", G_CALLBACK (on_pan_update), self);
    gtk_widget_add_controller (GTK_WIDGET (self->map_area), GTK_EVENT_CONTROLLER (pan));
  }

  g_signal_connect_swapped (self->function_row, "notify::selected", G_CALLBACK (on_function_changed), self);
  g_signal_connect_swapped (self->expression_row, "apply", G_CALLBACK (on_shape_changed), self);
  g_signal_connect_swapped (self->expression_row, "entry-activated", G_CALLBACK (on_shape_changed), self);
  g_signal_connect_swapped (self->kappa_scale, "value-changed", G_CALLBACK (on_shape_changed), self);
  g_signal_connect_swapped (self->theta_scale, "value-changed", G_CALLBACK (on_shape_changed), self);
  g_signal_connect_swapped (self->speed_scale, "value-changed", G_CALLBACK (on_speed_changed), self);
  g_signal_connect_swapped (self->mode_stack, "notify::visible-child", G_CALLBACK (on_mode_changed), self);
  g_signal_connect_swapped (self->dataset_row, "notify::selected", G_CALLBACK (pg_restart), self);
  g_signal_connect_swapped (self->activation_row, "notify::selected", G_CALLBACK (on_activation_changed), self);
  g_signal_connect_swapped (self->regions_switch, "notify::active", G_CALLBACK (on_regions_toggled), self);
  g_signal_connect_swapped (self->pg_lr_spin, "value-changed", G_CALLBACK (pg_restart), self);
  g_signal_connect_swapped (self->pg_batch_spin, "value-changed", G_CALLBACK (pg_restart), self);
  g_signal_connect_swapped (self->pg_l2_spin, "value-changed", G_CALLBACK (pg_restart), self);
  show_lesson (self, first, FALSE);
}
