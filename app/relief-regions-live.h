/* relief-regions-live.h: the linear regions of a model that is still training, computed
 * on a thread of their own so that the training never waits for them.  Whoever has new
 * parameters offers them (from any thread); at most one partition is computed at a time,
 * the newest parameters offered win, and those overtaken before their turn are dropped,
 * never queued.  Each finished partition replaces the one not yet taken, and a callback on
 * the owner's main context says that one is there. */
#pragma once

#include <gio/gio.h>

#include "relief-regions.h"

G_BEGIN_DECLS

typedef struct _ReliefRegionsLive ReliefRegionsLive;

/* On the owner's main context: a partition (or an error) is ready to take. */
typedef void (*ReliefRegionsLiveReady) (gpointer user_data);

/* max_regions: a partition that would exceed it fails with a message (0: no limit).
 * ready is called on the thread-default main context of the caller. */
ReliefRegionsLive *relief_regions_live_new    (gsize max_regions, ReliefRegionsLiveReady ready, gpointer user_data);
ReliefRegionsLive *relief_regions_live_ref    (ReliefRegionsLive *self);
/* The last unref stops the thread (the partition in progress cancelled) and joins it. */
void               relief_regions_live_unref  (ReliefRegionsLive *self);
/* The owner's ready is no longer called (from its main context: it is going away). */
void               relief_regions_live_detach (ReliefRegionsLive *self);

/* Whether offers are taken (any thread); off drops the parameters waiting and cancels the
 * partition in progress. */
void               relief_regions_live_set_enabled (ReliefRegionsLive *self, gboolean enabled);
gboolean           relief_regions_live_get_enabled (ReliefRegionsLive *self);

/* The parameters at step (copied, with spec and plane), computed next unless newer ones
 * come first; nothing when not enabled.  Any thread, never blocks for a partition. */
void               relief_regions_live_offer (ReliefRegionsLive *self, const ReliefMlpSpec *spec,
                                              const float *params, const ReliefPlane *plane, gint64 step);

/* The newest finished partition not yet taken (NULL: none, or it failed: *error_message,
 * may be NULL, says why), its step and how long it took. */
ReliefRegions     *relief_regions_live_take  (ReliefRegionsLive *self, gint64 *step, double *seconds,
                                              char **error_message);

/* Counts since new: offers taken, offers dropped before their turn (a newer one came),
 * partitions computed, and the most ever computing at once (1). */
void               relief_regions_live_get_counts (ReliefRegionsLive *self, guint *offered, guint *dropped,
                                                   guint *computed, guint *max_in_flight);
/* Whether the thread is idle: no offer waiting, none computing (tests wait on it). */
gboolean           relief_regions_live_is_idle (ReliefRegionsLive *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ReliefRegionsLive, relief_regions_live_unref)

G_END_DECLS
