/* The files of a new agent project (agent-template/, embedded at build
 * time), with {{name}}-style placeholders. */
#ifndef VCTL_TEMPLATES_H
#define VCTL_TEMPLATES_H

#include <stddef.h>

typedef struct vctl_template {
    const char *path;
    const char *text;
    unsigned mode;
} vctl_template;

extern const vctl_template vctl_templates[];
extern const size_t vctl_ntemplates;

#endif
