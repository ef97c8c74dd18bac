/* relief-enums.c: nicks and values of compute's GEnum types. */
#include "relief-enums.h"

#include <gio/gio.h>
#include <glib/gi18n-lib.h>

/* What a value of each type is called in the message for an unknown name. */
static const char *
enum_noun (GType type)
{
  static const struct {
    GType       (*get_type) (void);
    const char *noun;
  } nouns[] = {
    { relief_backend_kind_get_type, N_("backend") },
    { relief_activation_get_type, N_("activation") },
    { relief_loss_get_type, N_("loss") },
    { relief_optimizer_kind_get_type, N_("optimizer") },
    { relief_projection_kind_get_type, N_("projection") },
    { relief_direction_kind_get_type, N_("direction kind") },
    { relief_normalization_get_type, N_("normalization") },
    { relief_bias_mode_get_type, N_("bias mode") },
    { relief_train_status_get_type, N_("training status") },
    { relief_metric_kind_get_type, N_("metrics kind") },
  };

  for (guint i = 0; i < G_N_ELEMENTS (nouns); i++)
    if (nouns[i].get_type () == type)
      return _(nouns[i].noun);
  return g_type_name (type);
}

/* The first use takes a reference kept for the process, so the nicks handed out stay
 * valid. */
static GEnumClass *
enum_class (GType type)
{
  GEnumClass *klass = g_type_class_peek (type);

  return klass != NULL ? klass : g_type_class_ref (type);
}

const char *
relief_enum_to_nick (GType type, int value)
{
  GEnumValue *v = g_enum_get_value (enum_class (type), value);

  g_return_val_if_fail (v != NULL, NULL);
  return v->value_nick;
}

gboolean
relief_enum_from_nick (GType type, const char *nick, int *out, GError **error)
{
  GEnumClass *klass = enum_class (type);
  GEnumValue *v = nick != NULL ? g_enum_get_value_by_nick (klass, nick) : NULL;
  g_autoptr(GString) valid = NULL;

  if (v != NULL)
    {
      *out = v->value;
      return TRUE;
    }
  valid = g_string_new (NULL);
  for (guint i = 0; i < klass->n_values; i++)
    g_string_append_printf (valid, "%s%s", i > 0 ? ", " : "", klass->values[i].value_nick);
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, _("Unknown %s \"%s\" (valid: %s)"),
               enum_noun (type), nick != NULL ? nick : "", valid->str);
  return FALSE;
}
