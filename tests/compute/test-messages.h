/* test-messages.h: the messages a test's code logs, kept for the test to look at.
 *
 * GLib's g_message goes through structured logging here, which g_test_expect_message
 * does not see; test_messages_keep () installs a log writer (call it once, before anything
 * logs) that keeps every message-level text in test_messages and still prints it. */
#pragma once

#include <glib.h>

static GPtrArray *test_messages;

static GLogWriterOutput
test_messages_writer (GLogLevelFlags level, const GLogField *fields, gsize n_fields, gpointer user_data)
{
  if ((level & G_LOG_LEVEL_MESSAGE) != 0)
    for (gsize i = 0; i < n_fields; i++)
      if (g_strcmp0 (fields[i].key, "MESSAGE") == 0)
        g_ptr_array_add (test_messages, g_strdup (fields[i].value));
  return g_log_writer_default (level, fields, n_fields, user_data);
}

static inline void
test_messages_keep (void)
{
  test_messages = g_ptr_array_new_with_free_func (g_free);
  g_log_set_writer_func (test_messages_writer, NULL, NULL);
}

/* How many kept messages match a g_pattern_match_simple pattern. */
static inline guint
test_messages_count (const char *pattern)
{
  guint count = 0;

  for (guint i = 0; i < test_messages->len; i++)
    count += g_pattern_match_simple (pattern, g_ptr_array_index (test_messages, i));
  return count;
}
