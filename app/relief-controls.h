/* relief-controls.h: what the window's pages share about their controls: rows of strings,
 * the data, model and training controls that make a ReliefTrainJob. */
#pragma once

#include <adwaita.h>

#include "relief-page.h"
#include "relief-train-job.h"

G_BEGIN_DECLS

/* The selected string of a row whose model is a GtkStringList; "" when none is. */
const char *relief_combo_string (AdwComboRow *row);
/* Selects value among the row's strings; FALSE when it is not one of them. */
gboolean    relief_combo_select (AdwComboRow *row, const char *value);
/* Rows of an enum (a model of AdwEnumListItems of a RELIEF_TYPE_* enum, shown by their
 * nicks): the value selected, and selecting one. */
int         relief_combo_enum        (AdwComboRow *row);
void        relief_combo_select_enum (AdwComboRow *row, int value);
/* Gives the row the values of an enum type that offered (called with each value) accepts. */
void        relief_combo_offer_enum  (AdwComboRow *row, GType type, gboolean (*offered) (int value));

/* The data, model and training controls of a page's template, bound by their ids there. */
typedef struct {
  AdwComboRow   *dataset_row;
  GtkSpinButton *samples_spin;
  GtkSpinButton *noise_spin;
  GtkSpinButton *classes_spin;
  AdwEntryRow   *hidden_row;
  AdwComboRow   *activation_row;
  AdwComboRow   *loss_row;
  AdwComboRow   *optimizer_row;
  GtkSpinButton *lr_spin;
  GtkSpinButton *batch_spin;
  GtkSpinButton *epochs_spin;
  GtkSpinButton *seed_spin;
  AdwComboRow   *backend_row;
} ReliefTrainControls;

/* In class_init: binds the controls to the ReliefTrainControls at offset in the instance. */
void     relief_train_controls_bind_template (GtkWidgetClass *widget_class, goffset offset);
/* After gtk_widget_init_template: the data sets offered, Adam, and each generator's own
 * noise and class count whenever the data set changes. */
void     relief_train_controls_init (ReliefTrainControls *controls);
/* Initializes job (it holds nothing yet) from the controls; momentum and weight decay keep
 * their defaults. FALSE with error when a control does not parse; clear job either way. */
gboolean relief_train_controls_read (const ReliefTrainControls *controls, ReliefTrainJob *job, GError **error);
/* Shows earlier settings; gen NULL keeps the generator's defaults. A data set that is not
 * among the choices (a CSV file, an IDX folder) becomes one. */
void     relief_train_controls_fill (ReliefTrainControls *controls, const char *dataset,
                                     const ReliefGeneratorParams *gen, const ReliefMlpSpec *spec,
                                     const ReliefTrainConfig *config);

G_END_DECLS
