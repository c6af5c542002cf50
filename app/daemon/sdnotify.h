// Tells systemd the service's state over the sd_notify(3) protocol: one datagram ("READY=1",
// "STOPPING=1", "STATUS=...") to the AF_UNIX socket $NOTIFY_SOCKET names (a path, or "@name" for
// the abstract namespace). The protocol is a stable interface of systemd, small enough that
// lmfrontd speaks it without linking libsystemd. Without $NOTIFY_SOCKET (not started by systemd
// as Type=notify) it does nothing and returns false; a send that fails returns false too.
#pragma once

#include <string_view>

namespace lmfront::daemon {

bool notifySystemd(std::string_view state);

}  // namespace lmfront::daemon
