// The "cluster" section of the node's config file: etcd (endpoint URLs), name, lease_ttl_s (what
// they do: docs/cluster.md). It fills ClusterSettings, which the cluster service
// (node/clusterservice.h) reads at start. With no etcd endpoint the node is a cluster of one.
#pragma once

#include "common/status.h"
#include "config/jsonsection.h"
#include "node/nodeconfig.h"

namespace lmfront::node {

constexpr int kMinLeaseTtlSeconds = 2;  // etcd refuses shorter leases (about 1.5 s minimum)
constexpr int kMaxLeaseTtlSeconds = 3600;

Status readClusterSection(config::JsonSection cluster, ClusterSettings &settings);
// Each URL must be http(s)://HOST:PORT; the error names the bad one.
Status parseEtcdFlag(const QString &text, ClusterSettings &settings);
// A name is 1 to 64 of [A-Za-z0-9._-] (it becomes part of every etcd key).
Status parseClusterName(const QString &text, ClusterSettings &settings);
// Once flags and files are applied: a cluster name or TTL without etcd endpoints is a mistake.
Status checkClusterSettings(const ClusterSettings &settings);

}  // namespace lmfront::node
