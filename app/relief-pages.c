#include "relief-config.h"

#include "relief-dimension-page.h"
#include "relief-landscape-page.h"
#include "relief-lesson-page.h"
#include "relief-pages.h"
#include "relief-regions-page.h"
#include "relief-spectra-page.h"
#include "relief-train-page.h"

void
relief_pages_ensure_types (void)
{
  g_type_ensure (RELIEF_TYPE_TRAIN_PAGE);
  g_type_ensure (RELIEF_TYPE_LANDSCAPE_PAGE);
  g_type_ensure (RELIEF_TYPE_DIMENSION_PAGE);
  g_type_ensure (RELIEF_TYPE_SPECTRA_PAGE);
  g_type_ensure (RELIEF_TYPE_REGIONS_PAGE);
  g_type_ensure (RELIEF_TYPE_LESSON_PAGE);
}
