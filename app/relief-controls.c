#include "relief-config.h"

#include "relief-controls.h"
#include "relief-generators.h"
#include "relief-loaders.h"
#include "relief-enums.h"

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

void
relief_train_controls_init (ReliefTrainControls *c)
{
  g_autoptr(GtkStringList) datasets = dataset_list_new ();

  adw_combo_row_set_model (c->dataset_row, G_LIST_MODEL (datasets));
  relief_combo_select_enum (c->optimizer_row, RELIEF_OPT_ADAM);
  g_signal_connect_swapped (c->dataset_row, "notify::selected", G_CALLBACK (on_dataset_changed), c);
  on_dataset_changed (c);
}

gboolean
relief_train_controls_read (const ReliefTrainControls *c, ReliefTrainJob *job, GError **error)
{
  const char *dataset = relief_combo_string (c->dataset_row);

  relief_train_job_init_defaults (job);
  g_free (job->dataset);
  job->dataset = g_strdup (dataset);
  relief_generator_defaults (dataset, &job->gen);
  job->gen.n_samples = gtk_spin_button_get_value_as_int (c->samples_spin);
  job->gen.noise = gtk_spin_button_get_value (c->noise_spin);
  if (has_classes (dataset))
    job->gen.n_classes = gtk_spin_button_get_value_as_int (c->classes_spin);
  job->gen.seed = job->train.seed = (guint64) gtk_spin_button_get_value (c->seed_spin);

  g_clear_pointer (&job->hidden, g_free);
  if (!relief_parse_int_list (gtk_editable_get_text (GTK_EDITABLE (c->hidden_row)), &job->hidden, &job->n_hidden, error))
    return FALSE;
  job->activation = relief_combo_enum (c->activation_row);
  job->loss = relief_combo_enum (c->loss_row);
  job->train.optimizer.kind = relief_combo_enum (c->optimizer_row);
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
