#!/usr/bin/env bash
# Entry point of the Solr image (one image, three roles):
#
#   node        a SolrCloud node; SOLR_HOST_NAME (default: the container's host name) is the
#               name the other nodes and CKAN reach it by, ZK_HOST the ZooKeeper ensemble
#   zookeeper   a standalone ZooKeeper on :2181 (the jars Solr itself ships with)
#   init        upload the configset "ckan" to ZooKeeper (again on every run, so an image
#               with a new schema brings it) and create the collection "ckan" with
#               SOLR_REPLICAS replicas (default 2) once SOLR_NODES nodes (default 2) are live
set -euo pipefail

CP="/opt/solr/lib/*:/opt/solr/classes"
ZK_HOST=${ZK_HOST:-zookeeper:2181}
JAVA_LOG=(-Dlog4j2.configurationFile=/opt/solr/log4j2.xml)
fail() { printf 'FAILED: %s\n' "$*" >&2; exit 1; }

wait_for() {  # wait_for WHAT SECONDS COMMAND...
  local what=$1 deadline=$((SECONDS + $2)); shift 2
  until "$@" >/dev/null 2>&1; do
    [ $SECONDS -lt $deadline ] || fail "$what did not answer within the time allowed"
    sleep 2
  done
}

zk_ok() {  # ZooKeeper's "ruok" four-letter word over bash's /dev/tcp (no nc in the image)
  local host=${ZK_HOST%%,*}; local port=${host##*:}; host=${host%%:*}
  # A ZooKeeper still starting accepts the connection and may never answer: bounded.
  timeout 5 bash -c 'exec 3<>"/dev/tcp/$0/$1" && printf ruok >&3 && grep -q imok <&3' "$host" "$port"
}

live_nodes() {
  # Node names look like solr1:8983_solr; no JSON tool in the image, so count them.
  curl -sf "http://$1/solr/admin/collections?action=CLUSTERSTATUS&wt=json" | tr -d ' \n' \
    | grep -o '"live_nodes":\[[^]]*\]' | grep -o '_solr"' | wc -l
}

role=${1:-node}
[ $# -gt 0 ] && shift
case "$role" in
  node)
    wait_for "ZooKeeper at $ZK_HOST" 180 zk_ok
    mkdir -p /var/solr/data
    cp /opt/solr/solr.xml /var/solr/data/solr.xml
    exec java -Xms"${SOLR_HEAP}" -Xmx"${SOLR_HEAP}" "${JAVA_LOG[@]}" \
      -DzkHost="$ZK_HOST" -Dhost="${SOLR_HOST_NAME:-$(hostname)}" -Dsolr.solr.home=/var/solr/data \
      -Dsolr.install.dir=/opt/solr -Dsolr.default.confdir=/opt/solr/configsets/ckan/conf \
      -cp "$CP" SolrNode /var/solr/data 8983
    ;;
  zookeeper)
    cat >/var/zookeeper/zoo.cfg <<CFG
dataDir=/var/zookeeper/data
clientPort=2181
tickTime=2000
initLimit=10
syncLimit=5
autopurge.snapRetainCount=3
autopurge.purgeInterval=24
CFG
    exec java -Xms128m -Xmx"${ZK_HEAP:-256m}" "${JAVA_LOG[@]}" \
      -Dzookeeper.4lw.commands.whitelist=ruok,mntr,srvr -Dzookeeper.admin.enableServer=false \
      -cp "$CP" org.apache.zookeeper.server.ZooKeeperServerMain /var/zookeeper/zoo.cfg
    ;;
  init)
    node=${SOLR_NODE:-solr1:8983}
    wait_for "ZooKeeper at $ZK_HOST" 180 zk_ok
    # solr.install.dir: SolrCLI dereferences it even for an explicit -d (NPE without it).
    java -Xmx128m "${JAVA_LOG[@]}" -Dsolr.install.dir=/opt/solr -cp "$CP" org.apache.solr.cli.SolrCLI zk upconfig \
      -n ckan -d /opt/solr/configsets/ckan/conf -z "$ZK_HOST" || fail "uploading the configset ckan"
    want=${SOLR_NODES:-2}
    nodes_up() { [ "$(live_nodes "$node")" -ge "$want" ]; }  # asked again on every try
    wait_for "$want live Solr nodes" 300 nodes_up
    if curl -sf "http://$node/solr/admin/collections?action=LIST&wt=json" | grep -q '"ckan"'; then
      # Existing collection: pick up the configset just uploaded.
      curl -sf "http://$node/solr/admin/collections?action=RELOAD&name=ckan&wt=json" >/dev/null \
        || fail "reloading the collection ckan"
      echo "collection ckan reloaded"
    else
      curl -sf "http://$node/solr/admin/collections?action=CREATE&name=ckan&numShards=1&replicationFactor=${SOLR_REPLICAS:-2}&collection.configName=ckan&waitForFinalState=true&wt=json" >/dev/null \
        || fail "creating the collection ckan"
      echo "collection ckan created (${SOLR_REPLICAS:-2} replicas)"
    fi
    ;;
  *) exec "$role" "$@" ;;
esac
