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

/* A field's problem shown beside it, the same on every page: the row (an AdwActionRow,
 * AdwEntryRow, or the row a control is in) gets the "error" style and the message, as its
 * subtitle (an action row's own subtitle comes back when the message is cleared) or as a
 * label at its end (an entry row).  NULL clears it. */
void        relief_row_set_error (GtkWidget *row_or_child, const char *message);

/* A spin button whose text is checked rather than taken as its minimum: text that is no
 * number (or, with no digits, no whole number) or lies outside the adjustment's range
 * stays as typed and the row shows why, while the value keeps the last good one. */
void        relief_spin_watch    (GtkSpinButton *spin);
/* Whether the spin's text is a good value; FALSE with G_IO_ERROR_INVALID_ARGUMENT, the
 * message naming the row, and the row marked.  A good text clears the mark. */
gboolean    relief_spin_check    (GtkSpinButton *spin, GError **error);
/* Each of the NULL-terminated spins checked: FALSE at the first bad one, which gets the
 * keyboard focus. */
gboolean    relief_spins_check   (GtkSpinButton * const *spins, GError **error);

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
 * their defaults. FALSE with error when a control does not parse (that row is marked and
 * has the focus); clear job either way. */
gboolean relief_train_controls_read (const ReliefTrainControls *controls, ReliefTrainJob *job, GError **error);
/* Shows earlier settings; gen NULL keeps the generator's defaults. A data set that is not
 * among the choices (a CSV file, an IDX folder) becomes one. */
void     relief_train_controls_fill (ReliefTrainControls *controls, const char *dataset,
                                     const ReliefGeneratorParams *gen, const ReliefMlpSpec *spec,
                                     const ReliefTrainConfig *config);

G_END_DECLS
