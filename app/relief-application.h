#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define RELIEF_TYPE_APPLICATION (relief_application_get_type ())
G_DECLARE_FINAL_TYPE (ReliefApplication, relief_application, RELIEF, APPLICATION, AdwApplication)

ReliefApplication *relief_application_new (void);

G_END_DECLS
