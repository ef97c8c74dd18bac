/* relief-regions-live.c: one thread, one slot for the newest parameters, one for the
 * newest partition. */
#include "relief-config.h"

#include <string.h>

#include "relief-regions-live.h"

struct _ReliefRegionsLive {
  gatomicrefcount ref;
  gsize           max_regions;
  GMutex          lock;
  GCond           cond;
  GThread        *thread;          /* started by the first offer */
  gboolean        quit;
  gboolean        enabled;
  /* the offer waiting: the newest parameters not yet computed */
  ReliefMlpSpec  *spec;
  float          *params;
  ReliefPlane    *plane;
  gint64          step;
  gboolean        waiting;
  gboolean        computing;
  GCancellable   *cancellable;     /* the partition in progress's */
  /* the newest partition not yet taken */
  ReliefRegions  *result;
  char           *error;
  gint64          result_step;
  double          result_seconds;
  gboolean        has_result;
  /* the owner */
  GMainContext   *context;
  ReliefRegionsLiveReady ready;
  gpointer        user_data;
  gboolean        notify_queued;
  guint           offered, dropped, computed, in_flight, max_in_flight;
};

static gboolean
dispatch_ready (gpointer data)
{
  ReliefRegionsLive *self = data;
  ReliefRegionsLiveReady ready;
  gpointer user_data;

  g_mutex_lock (&self->lock);
  self->notify_queued = FALSE;
  ready = self->ready;
  user_data = self->user_data;
  g_mutex_unlock (&self->lock);
  if (ready)
    ready (user_data);
  return G_SOURCE_REMOVE;
}

/* Under the lock: the owner hears of a result once however many come before it looks. */
static void
queue_ready (ReliefRegionsLive *self)
{
  GSource *source;

  if (self->notify_queued || self->ready == NULL)
    return;
  self->notify_queued = TRUE;
  /* A source, not g_main_context_invoke: that would call the owner right here on this
   * thread whenever the owner's context is free to acquire. */
  source = g_idle_source_new ();
  g_source_set_priority (source, G_PRIORITY_DEFAULT);
  g_source_set_callback (source, dispatch_ready, relief_regions_live_ref (self),
                         (GDestroyNotify) relief_regions_live_unref);
  g_source_attach (source, self->context);
  g_source_unref (source);
}

static void
clear_offer (ReliefRegionsLive *self)
{
  g_clear_pointer (&self->spec, relief_mlp_spec_free);
  g_clear_pointer (&self->params, g_free);
  g_clear_pointer (&self->plane, relief_plane_free);
  self->waiting = FALSE;
}

static gpointer
live_thread (gpointer data)
{
  ReliefRegionsLive *self = data;

  g_mutex_lock (&self->lock);
  for (;;)
    {
      g_autoptr(ReliefMlpSpec) spec = NULL;
      g_autofree float *params = NULL;
      g_autoptr(ReliefPlane) plane = NULL;
      g_autoptr(GCancellable) cancellable = NULL;
      g_autoptr(GError) error = NULL;
      ReliefRegions *regions;
      gint64 step, start;

      while (!self->quit && !self->waiting)
        g_cond_wait (&self->cond, &self->lock);
      if (self->quit)
        break;
      spec = g_steal_pointer (&self->spec);
      params = g_steal_pointer (&self->params);
      plane = g_steal_pointer (&self->plane);
      step = self->step;
      self->waiting = FALSE;
      self->computing = TRUE;
      self->in_flight++;
      self->max_in_flight = MAX (self->max_in_flight, self->in_flight);
      cancellable = g_cancellable_new ();
      self->cancellable = g_object_ref (cancellable);
      g_mutex_unlock (&self->lock);

      start = g_get_monotonic_time ();
      regions = relief_regions_compute (spec, params, plane, self->max_regions, cancellable, &error);

      g_mutex_lock (&self->lock);
      self->in_flight--;
      self->computing = FALSE;
      g_clear_object (&self->cancellable);
      g_cond_broadcast (&self->cond);
      /* Cancelled: switched off or going away, nothing to show. */
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) || g_cancellable_is_cancelled (cancellable))
        {
          g_clear_pointer (&regions, relief_regions_free);
          continue;
        }
      self->computed++;
      g_clear_pointer (&self->result, relief_regions_free);
      g_clear_pointer (&self->error, g_free);
      self->result = regions;
      self->error = regions == NULL ? g_strdup (error->message) : NULL;
      self->result_step = step;
      self->result_seconds = (g_get_monotonic_time () - start) / (double) G_USEC_PER_SEC;
      self->has_result = TRUE;
      queue_ready (self);
    }
  g_mutex_unlock (&self->lock);
  return NULL;
}

ReliefRegionsLive *
relief_regions_live_new (gsize max_regions, ReliefRegionsLiveReady ready, gpointer user_data)
{
  ReliefRegionsLive *self = g_new0 (ReliefRegionsLive, 1);

  g_atomic_ref_count_init (&self->ref);
  g_mutex_init (&self->lock);
  g_cond_init (&self->cond);
  self->max_regions = max_regions;
  self->context = g_main_context_ref_thread_default ();
  self->ready = ready;
  self->user_data = user_data;
  return self;
}

ReliefRegionsLive *
relief_regions_live_ref (ReliefRegionsLive *self)
{
  g_atomic_ref_count_inc (&self->ref);
  return self;
}

void
relief_regions_live_unref (ReliefRegionsLive *self)
{
  if (self == NULL || !g_atomic_ref_count_dec (&self->ref))
    return;
  g_mutex_lock (&self->lock);
  self->quit = TRUE;
  if (self->cancellable)
    g_cancellable_cancel (self->cancellable);
  g_cond_broadcast (&self->cond);
  g_mutex_unlock (&self->lock);
  if (self->thread)
    g_thread_join (self->thread);
  clear_offer (self);
  relief_regions_free (self->result);
  g_free (self->error);
  g_main_context_unref (self->context);
  g_cond_clear (&self->cond);
  g_mutex_clear (&self->lock);
  g_free (self);
}

void
relief_regions_live_detach (ReliefRegionsLive *self)
{
  g_mutex_lock (&self->lock);
  self->ready = NULL;
  self->user_data = NULL;
  g_mutex_unlock (&self->lock);
}

void
relief_regions_live_set_enabled (ReliefRegionsLive *self, gboolean enabled)
{
  g_mutex_lock (&self->lock);
  self->enabled = enabled;
  if (!enabled)
    {
      clear_offer (self);
      if (self->cancellable)
        g_cancellable_cancel (self->cancellable);
      g_clear_pointer (&self->result, relief_regions_free);
      g_clear_pointer (&self->error, g_free);
      self->has_result = FALSE;
    }
  g_mutex_unlock (&self->lock);
}

gboolean
relief_regions_live_get_enabled (ReliefRegionsLive *self)
{
  gboolean enabled;

  g_mutex_lock (&self->lock);
  enabled = self->enabled;
  g_mutex_unlock (&self->lock);
  return enabled;
}

void
relief_regions_live_offer (ReliefRegionsLive *self, const ReliefMlpSpec *spec, const float *params,
                           const ReliefPlane *plane, gint64 step)
{
  gsize n = relief_mlp_spec_n_params (spec);
  float *copy;

  g_mutex_lock (&self->lock);
  if (!self->enabled || self->quit)
    {
      g_mutex_unlock (&self->lock);
      return;
    }
  g_mutex_unlock (&self->lock);
  /* The copy outside the lock: the thread may be taking the slot meanwhile. */
  copy = g_memdup2 (params, n * sizeof (float));
  g_mutex_lock (&self->lock);
  if (self->waiting)
    self->dropped++;
  clear_offer (self);
  self->spec = relief_mlp_spec_copy (spec);
  self->params = copy;
  self->plane = relief_plane_copy (plane);
  self->step = step;
  self->waiting = TRUE;
  self->offered++;
  if (self->thread == NULL)
    self->thread = g_thread_new ("relief-regions-live", live_thread, self);
  g_cond_broadcast (&self->cond);
  g_mutex_unlock (&self->lock);
}

ReliefRegions *
relief_regions_live_take (ReliefRegionsLive *self, gint64 *step, double *seconds, char **error_message)
{
  ReliefRegions *regions;

  g_mutex_lock (&self->lock);
  regions = g_steal_pointer (&self->result);
  if (step)
    *step = self->result_step;
  if (seconds)
    *seconds = self->result_seconds;
  if (error_message)
    *error_message = self->has_result ? g_steal_pointer (&self->error) : NULL;
  g_clear_pointer (&self->error, g_free);
  self->has_result = FALSE;
  g_mutex_unlock (&self->lock);
  return regions;
}

void
relief_regions_live_get_counts (ReliefRegionsLive *self, guint *offered, guint *dropped, guint *computed,
                                guint *max_in_flight)
{
  g_mutex_lock (&self->lock);
  if (offered)
    *offered = self->offered;
  if (dropped)
    *dropped = self->dropped;
  if (computed)
    *computed = self->computed;
  if (max_in_flight)
    *max_in_flight = self->max_in_flight;
  g_mutex_unlock (&self->lock);
}

gboolean
relief_regions_live_is_idle (ReliefRegionsLive *self)
{
  gboolean idle;

  g_mutex_lock (&self->lock);
  idle = !self->waiting && !self->computing;
  g_mutex_unlock (&self->lock);
  return idle;
}
