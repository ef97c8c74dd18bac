/* relief-backend-cuda.h: the CUDA backend (cuBLAS and kernels of our own).
 *
 * Unlike the CPU backend, one instance holds a stream and scratch buffers, so it must be
 * used from one thread at a time (each job creates its own). */
#pragma once

#include "relief-backend.h"

G_BEGIN_DECLS

/* A backend on the current CUDA device, or NULL and "No usable CUDA device: ..." when
 * there is no driver, no device, or a device older than compute capability 7.5. */
ReliefBackend *relief_backend_cuda_new (GError **error);

G_END_DECLS
