#include "relief-config.h"

#include <glib/gi18n-lib.h>
#include <math.h>

#include "relief-controls.h"
#include "relief-generators.h"
#include "relief-loaders.h"
#include "relief-enums.h"
#include <string.h>

const char *
relief_combo_string (AdwComboRow *row)
{
  GtkStringObject *item = adw_combo_row_get_selected_item (row);

  return item ? gtk_string_object_get_string (item) : "";
}

gboolean
relief_combo_select (AdwComboRow *row, const char *value)
{
  GListModel *model = adw_combo_row_get_model (row);

  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr(GtkStringObject) item = g_list_model_get_item (model, i);

      if (g_strcmp0 (gtk_string_object_get_string (item), value) == 0)
        {
          adw_combo_row_set_selected (row, i);
          return TRUE;
        }
    }
  return FALSE;
}

int
relief_combo_enum (AdwComboRow *row)
{
  AdwEnumListItem *item = adw_combo_row_get_selected_item (row);

  g_return_val_if_fail (ADW_IS_ENUM_LIST_ITEM (item), 0);
  return adw_enum_list_item_get_value (item);
}

void
relief_combo_select_enum (AdwComboRow *row, int value)
{
  GListModel *model = adw_combo_row_get_model (row);

  /* The model may offer only some of the enum's values (a filter over its list). */
  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr(AdwEnumListItem) item = g_list_model_get_item (model, i);

      if (adw_enum_list_item_get_value (item) == value)
        {
          adw_combo_row_set_selected (row, i);
          return;
        }
    }
}

static gboolean
accepts_item (gpointer item, gpointer offered)
{
  return ((gboolean (*) (int)) offered) (adw_enum_list_item_get_value (item));
}

void
relief_combo_offer_enum (AdwComboRow *row, GType type, gboolean (*offered) (int value))
{
  AdwEnumListModel *all = adw_enum_list_model_new (type);
  GtkCustomFilter *filter = gtk_custom_filter_new (accepts_item, (gpointer) offered, NULL);
  g_autoptr(GtkFilterListModel) model = gtk_filter_list_model_new (G_LIST_MODEL (all), GTK_FILTER (filter));

  adw_combo_row_set_model (row, G_LIST_MODEL (model));
}

static GtkWidget *
row_of (GtkWidget *widget)
{
  return ADW_IS_PREFERENCES_ROW (widget) ? widget : gtk_widget_get_ancestor (widget, ADW_TYPE_PREFERENCES_ROW);
}

/* An entry row's message: a label at its end, made the first time. */
static GtkLabel *
entry_row_message (AdwEntryRow *row)
{
  GtkLabel *label = g_object_get_data (G_OBJECT (row), "relief-error-label");

  if (label == NULL)
    {
      label = GTK_LABEL (gtk_label_new (NULL));
      gtk_label_set_wrap (label, TRUE);
      gtk_label_set_max_width_chars (label, 18);
      gtk_label_set_xalign (label, 1);
      gtk_widget_add_css_class (GTK_WIDGET (label), "error");
      gtk_widget_add_css_class (GTK_WIDGET (label), "caption");
      adw_entry_row_add_suffix (row, GTK_WIDGET (label));
      g_object_set_data (G_OBJECT (row), "relief-error-label", label);
    }
  return label;
}

void
relief_row_set_error (GtkWidget *row_or_child, const char *message)
{
  GtkWidget *row = row_of (row_or_child);

  g_return_if_fail (row != NULL);
  if (message)
    gtk_widget_add_css_class (row, "error");
  else
    gtk_widget_remove_css_class (row, "error");
  if (ADW_IS_ENTRY_ROW (row))
    {
      GtkLabel *label = message || g_object_get_data (G_OBJECT (row), "relief-error-label")
                          ? entry_row_message (ADW_ENTRY_ROW (row)) : NULL;

      if (label)
        {
          gtk_label_set_text (label, message ? message : "");
          gtk_widget_set_visible (GTK_WIDGET (label), message != NULL);
        }
    }
  else if (ADW_IS_ACTION_ROW (row))
    {
      AdwActionRow *action_row = ADW_ACTION_ROW (row);
      gboolean marked = g_object_get_data (G_OBJECT (row), "relief-subtitle") != NULL;

      if (message && !marked)
        g_object_set_data_full (G_OBJECT (row), "relief-subtitle",
                                g_strdup (adw_action_row_get_subtitle (action_row) ?: ""), g_free);
      if (message)
        adw_action_row_set_subtitle (action_row, message);
      else if (marked)
        {
          const char *subtitle = g_object_get_data (G_OBJECT (row), "relief-subtitle");

          adw_action_row_set_subtitle (action_row, *subtitle ? subtitle : NULL);
          g_object_set_data (G_OBJECT (row), "relief-subtitle", NULL);
        }
    }
}

/* A bound with the spin's digits, less the trailing zeros: 0.00001, 10. */
static char *
format_bound (double value, guint digits)
{
  char *text = g_strdup_printf ("%.*f", digits, value);

  if (strchr (text, '.') != NULL)
    {
      char *end = text + strlen (text) - 1;

      while (*end == '0')
        *end-- = '\0';
      if (*end == '.')
        *end = '\0';
    }
  return text;
}

/* The spin's text as a value: a number (a whole one when it shows no digits) within its
 * range; else FALSE with what is wrong. */
static gboolean
parse_spin_text (GtkSpinButton *spin, double *value, char **problem)
{
  GtkAdjustment *adj = gtk_spin_button_get_adjustment (spin);
  guint digits = gtk_spin_button_get_digits (spin);
  g_autofree char *text = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (spin))));
  double lower = gtk_adjustment_get_lower (adj), upper = gtk_adjustment_get_upper (adj);
  char *end = NULL;
  double v;

  /* The decimal separator of the locale the value is shown in, or a point. */
  g_strdelimit (text, ",", '.');
  v = g_ascii_strtod (text, &end);
  if (*text == '\0' || end == text || *end != '\0' || !isfinite (v))
    {
      *problem = digits == 0 ? g_strdup (_("Enter a whole number")) : g_strdup (_("Enter a number"));
      return FALSE;
    }
  if (digits == 0 && v != floor (v))
    {
      *problem = g_strdup (_("Enter a whole number"));
      return FALSE;
    }
  /* Half a shown digit of slack: the value shown for a bound is that bound. */
  if (v < lower - 0.5 * pow (10, -(double) digits) || v > upper + 0.5 * pow (10, -(double) digits))
    {
      g_autofree char *low = format_bound (lower, digits), *high = format_bound (upper, digits);

      *problem = g_strdup_printf (_("Between %s and %s"), low, high);
      return FALSE;
    }
  *value = CLAMP (v, lower, upper);
  return TRUE;
}

static int
on_spin_input (GtkSpinButton *spin, double *new_value, gpointer user_data)
{
  g_autofree char *problem = NULL;

  if (parse_spin_text (spin, new_value, &problem))
    return TRUE;
  /* The text stays as typed (see on_spin_output) and the value as it was. */
  *new_value = gtk_spin_button_get_value (spin);
  g_object_set_data (G_OBJECT (spin), "relief-keep-text", GINT_TO_POINTER (TRUE));
  return TRUE;
}

static gboolean
on_spin_output (GtkSpinButton *spin, gpointer user_data)
{
  gboolean keep = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (spin), "relief-keep-text"));

  g_object_set_data (G_OBJECT (spin), "relief-keep-text", NULL);
  return keep;
}

static void
on_spin_changed (GtkSpinButton *spin)
{
  relief_spin_check (spin, NULL);
}

void
relief_spin_watch (GtkSpinButton *spin)
{
  /* A numeric spin drops the letters typed, and the empty text left became the minimum:
   * what was typed stays, and is checked. */
  gtk_spin_button_set_numeric (spin, FALSE);
  g_signal_connect (spin, "input", G_CALLBACK (on_spin_input), NULL);
  g_signal_connect (spin, "output", G_CALLBACK (on_spin_output), NULL);
  g_signal_connect (spin, "changed", G_CALLBACK (on_spin_changed), NULL);
}

gboolean
relief_spin_check (GtkSpinButton *spin, GError **error)
{
  g_autofree char *problem = NULL;
  GtkWidget *row = row_of (GTK_WIDGET (spin));
  double value;

  if (parse_spin_text (spin, &value, &problem))
    {
      relief_row_set_error (row, NULL);
      return TRUE;
    }
  relief_row_set_error (row, problem);
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "%s: %s",
               adw_preferences_row_get_title (ADW_PREFERENCES_ROW (row)), problem);
  return FALSE;
}

gboolean
relief_spins_check (GtkSpinButton * const *spins, GError **error)
{
  for (int i = 0; spins[i] != NULL; i++)
    if (!relief_spin_check (spins[i], error))
      {
        gtk_widget_grab_focus (GTK_WIDGET (spins[i]));
        return FALSE;
      }
  return TRUE;
}

/* Each control's id in the page templates is its field's name. */
#define CONTROL(field) RELIEF_TEMPLATE_CHILD (ReliefTrainControls, field)

static const ReliefTemplateChild control_ids[] = {
  CONTROL (dataset_row), CONTROL (samples_spin), CONTROL (noise_spin), CONTROL (classes_spin),
  CONTROL (hidden_row), CONTROL (activation_row), CONTROL (loss_row), CONTROL (optimizer_row),
  CONTROL (lr_spin), CONTROL (batch_spin), CONTROL (epochs_spin), CONTROL (seed_spin), CONTROL (backend_row),
};

void
relief_train_controls_bind_template (GtkWidgetClass *widget_class, goffset offset)
{
  /* The templates' enum rows name these types. */
  g_type_ensure (RELIEF_TYPE_ACTIVATION);
  g_type_ensure (RELIEF_TYPE_LOSS);
  g_type_ensure (RELIEF_TYPE_OPTIMIZER_KIND);
  g_type_ensure (RELIEF_TYPE_BACKEND_KIND);
  relief_page_class_bind_children (widget_class, offset, control_ids, G_N_ELEMENTS (control_ids));
}

static gboolean
has_classes (const char *dataset)
{
  return g_str_equal (dataset, "spiral") || g_str_equal (dataset, "gaussians");
}

static void
set_row_sensitive (GtkWidget *row_child, gboolean sensitive)
{
  gtk_widget_set_sensitive (gtk_widget_get_ancestor (row_child, ADW_TYPE_ACTION_ROW), sensitive);
}

/* Each generator has its own sensible noise and class count; other data sets have neither. */
static void
on_dataset_changed (ReliefTrainControls *c)
{
  const char *name = relief_combo_string (c->dataset_row);
  ReliefGeneratorParams params;
  gboolean generated = relief_generator_exists (name);

  relief_generator_defaults (name, &params);
  gtk_spin_button_set_value (c->noise_spin, params.noise);
  gtk_spin_button_set_value (c->classes_spin, params.n_classes);
  set_row_sensitive (GTK_WIDGET (c->samples_spin), generated);
  set_row_sensitive (GTK_WIDGET (c->noise_spin), generated);
  set_row_sensitive (GTK_WIDGET (c->classes_spin), has_classes (name));
}

/* The data sets offered: the generators, then the installed ones (mnist, ...). */
static GtkStringList *
dataset_list_new (void)
{
  GtkStringList *list = gtk_string_list_new ((const char * const *) relief_generator_names ());
  const char * const *installed = relief_dataset_installed_names ();

  for (int i = 0; installed[i] != NULL; i++)
    {
      g_autofree char *dir = relief_dataset_find_installed (installed[i]);

      if (dir != NULL)
        gtk_string_list_append (list, installed[i]);
    }
  return list;
}

/* Bad widths show at once, beside the row. */
static void
on_hidden_changed (AdwEntryRow *row)
{
  g_autofree int *hidden = NULL;
  g_autoptr(GError) error = NULL;
  int n = 0;

  if (relief_parse_int_list (gtk_editable_get_text (GTK_EDITABLE (row)), &hidden, &n, &error))
    relief_row_set_error (GTK_WIDGET (row), NULL);
  else
    relief_row_set_error (GTK_WIDGET (row), error->message);
}

#define N_TRAIN_SPINS 7

/* The training controls' spin buttons, NULL-terminated. */
static void
train_spins (const ReliefTrainControls *c, GtkSpinButton *spins[N_TRAIN_SPINS + 1])
{
  GtkSpinButton *all[] = { c->samples_spin, c->noise_spin, c->classes_spin, c->lr_spin, c->batch_spin,
                           c->epochs_spin, c->seed_spin, NULL };

  memcpy (spins, all, sizeof all);
}

void
relief_train_controls_init (ReliefTrainControls *c)
{
  g_autoptr(GtkStringList) datasets = dataset_list_new ();
  GtkSpinButton *spins[N_TRAIN_SPINS + 1];

  train_spins (c, spins);
  for (int i = 0; spins[i] != NULL; i++)
    relief_spin_watch (spins[i]);
  g_signal_connect (c->hidden_row, "changed", G_CALLBACK (on_hidden_changed), NULL);

  adw_combo_row_set_model (c->dataset_row, G_LIST_MODEL (datasets));
  relief_combo_select_enum (c->optimizer_row, RELIEF_OPT_ADAM);
  g_signal_connect_swapped (c->dataset_row, "notify::selected", G_CALLBACK (on_dataset_changed), c);
  on_dataset_changed (c);
}

gboolean
relief_train_controls_read (const ReliefTrainControls *c, ReliefTrainJob *job, GError **error)
{
  const char *dataset = relief_combo_string (c->dataset_row);
  g_autoptr(GError) local_error = NULL;
  GtkSpinButton *spins[N_TRAIN_SPINS + 1];

  relief_train_job_init_defaults (job);
  train_spins (c, spins);
  if (!relief_spins_check (spins, error))
    return FALSE;
  g_free (job->dataset);
  job->dataset = g_strdup (dataset);
  relief_generator_defaults (dataset, &job->gen);
  job->gen.n_samples = gtk_spin_button_get_value_as_int (c->samples_spin);
  job->gen.noise = gtk_spin_button_get_value (c->noise_spin);
  if (has_classes (dataset))
    job->gen.n_classes = gtk_spin_button_get_value_as_int (c->classes_spin);
  job->gen.seed = job->train.seed = (guint64) gtk_spin_button_get_value (c->seed_spin);

  g_clear_pointer (&job->hidden, g_free);
  if (!relief_parse_int_list (gtk_editable_get_text (GTK_EDITABLE (c->hidden_row)), &job->hidden, &job->n_hidden,
                              &local_error))
    {
      relief_row_set_error (GTK_WIDGET (c->hidden_row), local_error->message);
      g_propagate_prefixed_error (error, g_steal_pointer (&local_error), "%s: ",
                                  adw_preferences_row_get_title (ADW_PREFERENCES_ROW (c->hidden_row)));
      gtk_widget_grab_focus (GTK_WIDGET (c->hidden_row));
      return FALSE;
    }
  job->activation = relief_combo_enum (c->activation_row);
  job->loss = relief_combo_enum (c->loss_row);
  /* Another optimizer brings its own defaults (rmsprop's alpha, adagrad's eps). */
  if (job->train.optimizer.kind != (ReliefOptimizerKind) relief_combo_enum (c->optimizer_row))
    relief_optimizer_config_set_kind (&job->train.optimizer, relief_combo_enum (c->optimizer_row));
  job->train.optimizer.lr = gtk_spin_button_get_value (c->lr_spin);
  job->train.batch_size = gtk_spin_button_get_value_as_int (c->batch_spin);
  job->train.epochs = gtk_spin_button_get_value_as_int (c->epochs_spin);
  job->backend = relief_combo_enum (c->backend_row);
  return TRUE;
}

static char *
hidden_text (const ReliefMlpSpec *spec)
{
  GString *text = g_string_new (NULL);

  for (int i = 1; i < spec->n_layers; i++)
    g_string_append_printf (text, i == 1 ? "%d" : ",%d", spec->sizes[i]);
  return g_string_free (text, FALSE);
}

static void
select_dataset (AdwComboRow *row, const char *dataset)
{
  if (relief_combo_select (row, dataset))
    return;
  gtk_string_list_append (GTK_STRING_LIST (adw_combo_row_get_model (row)), dataset);
  relief_combo_select (row, dataset);
}

void
relief_train_controls_fill (ReliefTrainControls *c, const char *dataset, const ReliefGeneratorParams *gen,
                            const ReliefMlpSpec *spec, const ReliefTrainConfig *config)
{
  g_autofree char *hidden = hidden_text (spec);

  /* First: a change of data set resets the generator's settings. */
  select_dataset (c->dataset_row, dataset);
  if (gen)
    {
      gtk_spin_button_set_value (c->samples_spin, gen->n_samples);
      gtk_spin_button_set_value (c->noise_spin, gen->noise);
      gtk_spin_button_set_value (c->classes_spin, gen->n_classes);
    }
  gtk_editable_set_text (GTK_EDITABLE (c->hidden_row), hidden);
  relief_combo_select_enum (c->activation_row, spec->activation);
  relief_combo_select_enum (c->loss_row, spec->loss);
  relief_combo_select_enum (c->optimizer_row, config->optimizer.kind);
  gtk_spin_button_set_value (c->lr_spin, config->optimizer.lr);
  gtk_spin_button_set_value (c->batch_spin, config->batch_size);
  gtk_spin_button_set_value (c->epochs_spin, config->epochs);
  gtk_spin_button_set_value (c->seed_spin, (double) config->seed);
}
