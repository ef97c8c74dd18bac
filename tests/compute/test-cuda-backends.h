/* test-cuda-backends.h: the CPU and CUDA backends the device tests compare. */
#pragma once

#include "relief-backend.h"

/* Both backends, or FALSE (having said why) when no CUDA device is usable: the test then
 * exits 77, which meson reads as skipped. */
static inline gboolean
cuda_test_backends (ReliefBackend **cpu, ReliefBackend **gpu)
{
  g_autoptr(GError) error = NULL;

  *gpu = relief_backend_new ("cuda", &error);
  if (*gpu == NULL)
    {
      g_printerr ("Skipping: %s\n", error->message);
      return FALSE;
    }
  *cpu = relief_backend_new ("cpu", &error);
  g_assert_no_error (error);
  return TRUE;
}
