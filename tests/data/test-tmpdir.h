/* test-tmpdir.h: a fresh temporary folder per test case, emptied and removed after it
 * (every file left in it must be removable: a test that leaves a folder fails). */
#pragma once

#include <glib.h>
#include <glib/gstdio.h>

typedef struct {
  char *dir;
} Fixture;

static inline void
fixture_setup (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;

  f->dir = g_dir_make_tmp ("relief-test-XXXXXX", &error);
  g_assert_no_error (error);
}

static inline void
fixture_teardown (Fixture *f, gconstpointer data)
{
  g_autoptr (GDir) dir = g_dir_open (f->dir, 0, NULL);
  const char *name;

  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (f->dir, name, NULL);
      g_assert_cmpint (g_unlink (path), ==, 0);
    }
  g_assert_cmpint (g_rmdir (f->dir), ==, 0);
  g_free (f->dir);
}
