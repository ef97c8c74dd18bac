/* relief-cmd-regions.h: `relief regions RUN.h5 -o REGIONS.h5`: the exact linear regions of
 * a run's network over a plane of its input space (app/relief-regions-job.h). */
#pragma once

int relief_cmd_regions (int argc, char **argv);
