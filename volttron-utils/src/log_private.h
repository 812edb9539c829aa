/* Internal knobs of the log module, for tests. */
#ifndef VT_LOG_PRIVATE_H
#define VT_LOG_PRIVATE_H

#include <stdint.h>

/* How often (ms) the file sink checks whether a rotator moved the file. */
void vt_log_set_rotation_check_ms(int64_t ms);

#endif
