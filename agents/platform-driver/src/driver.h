/* The contract between the platform driver and a device interface
 * (driver-framework.md §9): what a driver type ("fakedriver", "modbus", ...)
 * provides. Adding an interface means one file and one line in
 * interfaces.c.
 *
 * The framework owns the registers (the points), their revert bookkeeping
 * (§9.4), scheduling, publishing and the RPC API. An interface parses its
 * part of the configuration into registers and moves values to and from the
 * device. A "blocking" interface (one that does I/O, like Modbus TCP) has
 * every operation run on a worker thread, one operation at a time per
 * device, so a device that does not answer never stalls the others; its
 * state needs no locking of its own. Operations of non-blocking interfaces
 * run on the agent's loop. */
#ifndef DRIVER_H
#define DRIVER_H

#include <stdbool.h>
#include <stddef.h>

#include <cjson/cJSON.h>

#include <volttron/utils/export.h>

/* An error for the RPC caller: exc_type as VOLTTRON names it
 * ("builtins.RuntimeError", "platform_driver.interfaces.DriverInterfaceError",
 * ...) and the message (str(exception)). */
typedef struct drv_error {
    char type[96];
    char msg[512];
} drv_error;

#define DRV_INTERFACE_ERROR "platform_driver.interfaces.DriverInterfaceError"

/* Fill err; returns -1 so a function can "return drv_fail(...)". */
int drv_fail(drv_error *err, const char *type, const char *fmt, ...) VT_PRINTF(3, 4);

/* One point of a device. */
typedef struct drv_register {
    char *name; /* Volttron Point Name (published, RPC) */
    char *units;
    char *description;
    bool read_only;
    bool bit; /* register_type "bit" (meta type "boolean") */
    /* meta "type": "integer", "float", "boolean", "string" (static text) */
    const char *meta_type;
    /* Revert bookkeeping (§9.4), kept by the framework except the default,
     * which configure sets (owned; NULL: none). */
    cJSON *default_value;
    cJSON *clean_value;
    bool dirty;
    void *iface; /* the interface's own data for this point */
    void (*iface_free)(void *iface);
} drv_register;

/* A device's registers, in insertion order. */
typedef struct drv_registry {
    drv_register **v;
    size_t n, cap;
} drv_registry;

/* A new register added to reg (owned by it) with name, units and
 * read_only; the rest zero. */
drv_register *drv_registry_add(drv_registry *reg, const char *name, const char *units,
                               bool read_only);
drv_register *drv_registry_find(const drv_registry *reg, const char *name);
void drv_registry_clear(drv_registry *reg);

typedef struct drv_iface_ops {
    const char *type; /* the driver_type it answers to */
    bool blocking;    /* operations do I/O: run them on a worker thread */
    /* Parse driver_config and the registry rows (what registry_config
     * resolved to: usually an array of row objects, may be NULL) into
     * registers added to reg. Returns the interface's state, or NULL with
     * err set (the device does not start). Runs on the loop. */
    void *(*configure)(const cJSON *driver_config, const cJSON *registry, drv_registry *reg,
                       drv_error *err);
    void (*destroy)(void *state);
    /* Read one point: *value is a new node (caller owns). 0 or -1 + err. */
    int (*get_point)(void *state, drv_register *r, cJSON **value, drv_error *err);
    /* Write one point: *result is the value now in effect (new node). The
     * framework has checked nothing: reject read-only points here with the
     * interface's own error. */
    int (*set_point)(void *state, drv_register *r, const cJSON *value, cJSON **result,
                     drv_error *err);
    /* Read every point into values (an object: name -> value), in the
     * order the interface reads them. Points that could not be read may be
     * left out; a total failure is -1 + err (nothing is published). */
    int (*scrape_all)(void *state, drv_registry *reg, cJSON *values, drv_error *err);
    /* Optional: restore one point / every point to its default state, for
     * protocols with a revert of their own (BACnet relinquishes a priority).
     * NULL: the framework writes each point's default value, else its last
     * scraped one (9.0.4's "BasicRevert"), through set_point. */
    int (*revert_point)(void *state, drv_register *r, drv_error *err);
    int (*revert_all)(void *state, drv_registry *reg, drv_error *err);
} drv_iface_ops;

/* The interface for a driver_type, or NULL. */
const drv_iface_ops *drv_interface(const char *type);
/* "fakedriver, modbus": for error messages. */
const char *drv_interface_names(void);

#endif
