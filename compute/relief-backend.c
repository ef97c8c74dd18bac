/* relief-backend.c: backend lookup and the pieces shared by every backend. */
#include "relief-backend.h"
#include "relief-config.h"

#include <glib/gi18n-lib.h>
#if RELIEF_HAVE_CUDA
#include "cuda/relief-backend-cuda.h"
#endif

#include <gio/gio.h>

ReliefBackend *
relief_backend_new (const char *name, GError **error)
{
  g_return_val_if_fail (name != NULL, NULL);

  if (g_str_equal (name, "cpu"))
    return relief_backend_cpu_new ();
#if RELIEF_HAVE_CUDA
  if (g_str_equal (name, "cuda"))
    return relief_backend_cuda_new (error);
  if (g_str_equal (name, "auto"))
    {
      /* Why CUDA is unusable only matters to someone who asked for it by name. */
      ReliefBackend *cuda = relief_backend_cuda_new (NULL);

      return cuda != NULL ? cuda : relief_backend_cpu_new ();
    }
#else
  if (g_str_equal (name, "auto"))
    return relief_backend_cpu_new ();
  if (g_str_equal (name, "cuda"))
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                           "This build of Relief has no CUDA backend");
      return NULL;
    }
#endif
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
               _("Unknown backend \"%s\" (valid: auto, cpu, cuda)"), name);
  return NULL;
}

void
relief_backend_free (ReliefBackend *backend)
{
  if (backend != NULL)
    backend->destroy (backend);
}

int
relief_optimizer_state_size (ReliefOptimizerKind kind)
{
  switch (kind)
    {
    case RELIEF_OPT_SGD:
      return 0;
    case RELIEF_OPT_MOMENTUM:
    case RELIEF_OPT_NESTEROV:
    case RELIEF_OPT_ADAGRAD:   /* the sum of squares */
    case RELIEF_OPT_SIGN:      /* signum's momentum */
      return 1;
    case RELIEF_OPT_ADAM:
    case RELIEF_OPT_ADAMW:
    case RELIEF_OPT_RMSPROP:   /* the square average, then the momentum buffer */
      return 2;
    default:
      g_return_val_if_reached (0);
    }
}

void
relief_optimizer_config_set_kind (ReliefOptimizerConfig *cfg, ReliefOptimizerKind kind)
{
  cfg->kind = kind;
  cfg->beta1 = 0.9f;
  cfg->beta2 = 0.999f;
  cfg->eps = 1e-8f;
  switch (kind)
    {
    case RELIEF_OPT_MOMENTUM:
    case RELIEF_OPT_NESTEROV:
      cfg->momentum = 0.9f;
      break;
    case RELIEF_OPT_ADAGRAD:
      cfg->eps = 1e-10f;
      break;
    case RELIEF_OPT_RMSPROP:
      cfg->momentum = 0.0f;
      cfg->beta2 = 0.99f;
      break;
    case RELIEF_OPT_SIGN:
      cfg->momentum = 0.0f;
      break;
    case RELIEF_OPT_SGD:
    case RELIEF_OPT_ADAM:
    case RELIEF_OPT_ADAMW:
    default:
      break;
    }
}
