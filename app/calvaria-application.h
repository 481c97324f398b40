/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "cal-compute-cache.h"

G_BEGIN_DECLS

#define CALVARIA_APPLICATION_ID "org.calvaria.Calvaria"

#define CALVARIA_TYPE_APPLICATION (calvaria_application_get_type ())
G_DECLARE_FINAL_TYPE (CalvariaApplication, calvaria_application, CALVARIA, APPLICATION,
                      AdwApplication)

CalvariaApplication *calvaria_application_new          (void);
GSettings           *calvaria_application_get_settings (CalvariaApplication *self);
/* TRUE when OpenGL runs in software (Mesa's llvmpipe): the 3D view then
 * draws fewer triangles. */
gboolean             calvaria_application_get_software_gl (CalvariaApplication *self);
/* The compute device and the networks built on it, kept for as long as
 * the application runs; nothing is opened until a network first runs. */
CalComputeCache     *calvaria_application_get_compute_cache (CalvariaApplication *self);

G_END_DECLS
