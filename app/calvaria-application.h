/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

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

G_END_DECLS
