/* The device interfaces this driver knows, by driver_type. */
#include <string.h>

#include "driver.h"

extern const drv_iface_ops drv_fake_ops;
extern const drv_iface_ops drv_modbus_ops;

static const drv_iface_ops *const interfaces[] = {
    &drv_fake_ops,
    &drv_modbus_ops,
};

const drv_iface_ops *drv_interface(const char *type)
{
    for (size_t i = 0; type && i < sizeof interfaces / sizeof interfaces[0]; i++)
        if (strcmp(interfaces[i]->type, type) == 0)
            return interfaces[i];
    return NULL;
}

const char *drv_interface_names(void)
{
    return "fakedriver, modbus";
}
