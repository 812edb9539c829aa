/* libvolttron-client umbrella header: everything an agent needs. */
#ifndef VT_CLIENT_CLIENT_H
#define VT_CLIENT_CLIENT_H

#include <volttron/utils/utils.h>

#include <volttron/client/address.h>
#include <volttron/client/agent.h>
#include <volttron/client/channel.h>
#include <volttron/client/config.h>
#include <volttron/client/export.h>
#include <volttron/client/health.h>
#include <volttron/client/identity.h>
#include <volttron/client/instances.h>
#include <volttron/client/keys.h>
#include <volttron/client/loop.h>
#include <volttron/client/message.h>
#include <volttron/client/package.h>
#include <volttron/client/peerlist.h>
#include <volttron/client/ping.h>
#include <volttron/client/pubsub.h>
#include <volttron/client/query.h>
#include <volttron/client/rpc.h>
#include <volttron/client/version.h>

#endif
